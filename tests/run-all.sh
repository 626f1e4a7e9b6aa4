#!/usr/bin/env bash
# The whole test suite, as CI runs it: install dependencies, build, run every
# test; build again with AddressSanitizer + UndefinedBehaviorSanitizer and run
# every test again.  Ends with one line "N passed, N failed, N skipped".
# Needs root (apt-get, network namespaces).  Under CI=true a skipped test
# counts as failed: CI must run everything.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ "${VW_SKIP_DEPS:-0}" != 1 ]; then
        bash packaging/deps.sh || { echo "dependency installation failed"; echo "0 passed, 1 failed"; exit 1; }
fi

jobs=$(nproc)
status=0
results=()

run_suite() {        # name, build dir, meson options…
        local name=$1 dir=$2
        shift 2
        echo "=== $name: configure and build ($dir)"
        if [ -d "$dir" ]; then
                meson setup --reconfigure "$dir" "$@" >/dev/null || meson setup --wipe "$dir" "$@" || return 1
        else
                meson setup "$dir" "$@" || return 1
        fi
        ninja -C "$dir" || return 1
        echo "=== $name: test"
        meson test -C "$dir" --num-processes "$jobs" --print-errorlogs --timeout-multiplier "${VW_TIMEOUT_MULTIPLIER:-1}"
        return 0
}

count() {            # build dir -> "passed failed skipped"
        python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, os, sys
p = sys.argv[1]
ok = fail = skip = 0
if os.path.exists(p):
    for line in open(p):
        r = json.loads(line)
        res = r.get("result")
        if res in ("OK", "EXPECTEDFAIL"):
            ok += 1
        elif res == "SKIP":
            skip += 1
        else:
            fail += 1
print(ok, fail, skip)
PY
}

total_ok=0 total_fail=0 total_skip=0
for spec in "normal:build" "sanitizers:build-asan:-Db_sanitize=address,undefined:-Db_lundef=false"; do
        IFS=: read -r name dir opt1 opt2 <<<"$spec"
        opts=()
        [ -n "${opt1:-}" ] && opts+=("$opt1")
        [ -n "${opt2:-}" ] && opts+=("$opt2")
        rm -f "$dir/meson-logs/testlog.json"
        if ! run_suite "$name" "$dir" "${opts[@]}"; then
                echo "=== $name: build failed"
                total_fail=$((total_fail + 1))
                continue
        fi
        read -r ok fail skip < <(count "$dir")
        echo "=== $name: $ok passed, $fail failed, $skip skipped"
        total_ok=$((total_ok + ok)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))
done

if [ "${CI:-}" = true ] && [ "$total_skip" -gt 0 ]; then
        echo "CI=true: $total_skip skipped tests count as failed"
        total_fail=$((total_fail + total_skip))
        total_skip=0
fi
[ "$total_fail" -eq 0 ] || status=1
echo "$total_ok passed, $total_fail failed, $total_skip skipped"
exit $status
