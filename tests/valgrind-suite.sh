#!/usr/bin/env bash
# Run integration tests with every daemon they start under valgrind memcheck,
# then count the errors and definitely-lost bytes valgrind reported.
#   tests/valgrind-suite.sh [BUILD_DIR] [TEST...]     (default: build, a core set)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
shift || true
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(foundation plugin_host metrics reload_storm ctl_cli alerts_syslog durability lldp_frames)
logdir=$(mktemp -d)
export VW_DAEMON_WRAPPER="valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite --log-file=$logdir/vg.%p.log"
cd "$top"
meson test -C "$build" --timeout-multiplier 6 --num-processes 1 "${tests[@]}"
status=$?
errors=0 lost=0 runs=0
for f in "$logdir"/vg.*.log; do
        [ -e "$f" ] || continue
        runs=$((runs + 1))
        e=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$f" | tr -d , | tail -1)
        l=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tr -d , | tail -1)
        errors=$((errors + ${e:-0})) lost=$((lost + ${l:-0}))
        if [ "${e:-0}" != 0 ] || [ "${l:-0}" != 0 ]; then echo "== $f"; cat "$f"; fi
done
echo "valgrind: $runs daemon runs, $errors errors, $lost bytes definitely lost (logs in $logdir)"
[ "$status" -eq 0 ] && [ "$errors" -eq 0 ] && [ "$lost" -eq 0 ]
