#!/usr/bin/env bash
# The demo lab: install what is missing (packaging/deps.sh), build (meson +
# ninja, reusing the build folder), then make a small network in network
# namespaces with real LLDP/SNMP peers -- a Huawei CE switch and a Cisco
# router in the core, a ZTE access switch and a Hikvision camera at the edge --
# run vendorwatchd on it with conf/lab.conf and the shipped policy, and print
# what it found, its alerts and the syslog lines it wrote.  Exits 0 only when
# exactly the expected alerts appear (the Huawei in the core, the Hikvision
# camera at the edge).  Everything it starts lives in namespaces named
# vwlab<pid>-*, removed on exit, failure or Ctrl-C; a run killed outright is
# cleaned up by the next one.  Needs root.
#
# Environment: VW_BUILD_ROOT (build folder, default build/), VW_LAB_SKIP_DEPS=1
# (install nothing), VW_LAB_SKIP_BUILD=1 (use VW_BUILD_ROOT as it is),
# VW_LAB_PREFIX (namespace prefix, default vwlab), VW_LAB_TIMEOUT (seconds
# discovery may take to settle, default 60).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

if [ "$(id -u)" -ne 0 ]; then
        echo "demo.sh: needs root (network namespaces, packages): sudo $0" >&2
        exit 2
fi

export VW_BUILD_ROOT=${VW_BUILD_ROOT:-$top/build}
export VW_SOURCE_ROOT=$top
prefix=${VW_LAB_PREFIX:-vwlab}
export VW_LAB_PREFIX=$prefix

# Every package packaging/deps.sh names is installed: nothing to do.
deps_installed() {
        local pkgs
        pkgs=$(sed -n 's/.*apt-get install\(.*\)/\1/p' packaging/deps.sh | tr ' ' '\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' || true)
        [ -n "$pkgs" ] || return 1
        # shellcheck disable=SC2086
        ! dpkg-query -W -f='${db:Status-Abbrev}\n' $pkgs 2>/dev/null | grep -qv '^ii' &&
                dpkg-query -W $pkgs >/dev/null 2>&1
}

if [ "${VW_LAB_SKIP_DEPS:-0}" != 1 ]; then
        if deps_installed; then
                echo "lab: the packages of packaging/deps.sh are installed"
        else
                echo "lab: installing packages (packaging/deps.sh)"
                bash packaging/deps.sh
        fi
fi
if [ "${VW_LAB_SKIP_BUILD:-0}" != 1 ]; then
        if [ ! -f "$VW_BUILD_ROOT/build.ninja" ]; then
                echo "lab: configuring $VW_BUILD_ROOT"
                meson setup "$VW_BUILD_ROOT" || meson setup --wipe "$VW_BUILD_ROOT"
        fi
        echo "lab: building ($VW_BUILD_ROOT)"
        ninja -C "$VW_BUILD_ROOT" >/dev/null || ninja -C "$VW_BUILD_ROOT"
fi

lab_pid=
cleanup() {
        trap - EXIT INT TERM HUP
        if [ -n "$lab_pid" ] && kill -0 "$lab_pid" 2>/dev/null; then
                kill -TERM "$lab_pid" 2>/dev/null || true
                wait "$lab_pid" 2>/dev/null || true
        fi
        # the safety net: whatever the lab itself did not remove
        python3 tests/lab/lab.py --prefix "$prefix" --id $$ --clean >/dev/null 2>&1 || true
        local left_ns left_procs
        left_ns=$(ip netns list | grep -c "^$prefix$$-" || true)
        left_procs=$(pgrep -f "$prefix$$-" | grep -vc "^$$\$" || true)
        if [ "$left_ns" -eq 0 ] && [ "$left_procs" -eq 0 ]; then
                echo "lab: cleaned up (no namespace or process of run $$ left)"
        else
                echo "lab: $left_ns namespaces and $left_procs processes of run $$ are left" >&2
        fi
}
trap cleanup EXIT
trap 'echo "lab: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM HUP

# In the background so that Ctrl-C reaches the trap at once (the lab itself
# ignores SIGINT then, and stops on the trap's SIGTERM).
python3 tests/lab/lab.py --prefix "$prefix" --id $$ --own-group &
lab_pid=$!
rc=0
wait "$lab_pid" || rc=$?
lab_pid=
exit "$rc"
