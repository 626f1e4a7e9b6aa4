#!/bin/sh
# A fuzzing campaign over every tests/fuzz/fuzz-*.c target (libFuzzer, clang,
# ASan+UBSan).  Each target runs on a scratch copy of its seed corpus; any
# crash, leak or timeout input is copied into tests/fuzz/corpus/NAME/ so the
# normal suite replays it from then on.  Prints libFuzzer's final statistics
# per target and exits non-zero when any target failed.
#
#   tests/fuzz/campaign.sh [-t SECONDS] [-b BUILD_DIR] [-j JOBS] [TARGET...]
#
#   -t  time per target (default 600)
#   -b  build folder (default build-fuzz, configured here when missing)
#   -j  ninja jobs (default 2)
set -eu

duration=600
build=build-fuzz
jobs=2
while getopts t:b:j: o; do
        case $o in
        t) duration=$OPTARG ;;
        b) build=$OPTARG ;;
        j) jobs=$OPTARG ;;
        *) sed -n '2,13p' "$0"; exit 2 ;;
        esac
done
shift $((OPTIND - 1))

src=$(cd "$(dirname "$0")/../.." && pwd)
cd "$src"
if [ ! -d "$build" ]; then
        # -Dfuzz=true instruments the whole tree (core and plugins), not
        # only the fuzz-*.c harnesses
        CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C "$build" -j "$jobs" >/dev/null

if [ $# -eq 0 ]; then
        set -- $(cd tests/fuzz && ls fuzz-*.c | sed -e 's/^fuzz-//' -e 's/\.c$//' | grep -v '^main$')
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vw-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$src/tests/fuzz/lsan.supp:print_suppressions=0

failed=0
printf '%-14s %-8s %s\n' target result "final libFuzzer statistics"
for name in "$@"; do
        exe="$build/tests/fuzz/fuzz-$name"
        seeds="tests/fuzz/corpus/$name"
        [ -x "$exe" ] || { echo "$name: no binary $exe" >&2; failed=1; continue; }
        mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
        [ -d "$seeds" ] && cp -r "$seeds/." "$work/$name/corpus/"
        log="$work/$name/log"
        set +e
        "$exe" -max_total_time="$duration" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
                -artifact_prefix="$work/$name/artifacts/" "$work/$name/corpus" </dev/null >"$log" 2>&1
        rc=$?
        set -e
        # the last status line: "#N  DONE  cov: C ft: F corp: … exec/s: E …"
        stats=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -e 's/  */ /g')
        execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
        result=ok
        if [ $rc -ne 0 ] || [ -n "$(ls -A "$work/$name/artifacts")" ]; then
                result=FAILED
                failed=1
                mkdir -p "$seeds"
                for a in "$work/$name/artifacts"/*; do
                        [ -e "$a" ] || continue
                        cp "$a" "$seeds/regression-$(basename "$a")"
                        echo "$name: saved $seeds/regression-$(basename "$a")" >&2
                done
                grep -E 'ERROR|SUMMARY|==[0-9]+==' "$log" | head -n 5 >&2 || true
                cp "$log" "${TMPDIR:-/tmp}/vw-fuzz-$name.log"
                echo "$name: full log in ${TMPDIR:-/tmp}/vw-fuzz-$name.log" >&2
        fi
        printf '%-14s %-8s %s (execs %s, %ss)\n' "$name" "$result" "$stats" "${execs:-?}" "$duration"
done
exit $failed
