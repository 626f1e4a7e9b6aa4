#!/usr/bin/env python3
"""The demo lab (tests/lab/demo.sh) end to end, on the suite's build.

demo.sh runs with VW_LAB_SKIP_BUILD=1 (the suite built already) and a
namespace prefix of its own, so it never touches a demo an operator runs at
the same time.  Asserts its exit status, the devices and alerts it printed,
the syslog lines rsyslog wrote, and that nothing of the run is left: no
namespace, no process."""
import os
import subprocess

import vwtest
from vwtest import check, fail

vwtest.need_root()
vwtest.need_prog("lldpd", "snmpd", "snmpget", "rsyslogd", "unshare", "ip", vwtest.VWD, vwtest.VWCTL)
for plugin in ("lldp", "snmp"):
    if not os.path.exists(os.path.join(vwtest.PLUGIN_DIR, f"{plugin}.so")):
        vwtest.skip(f"the {plugin} plugin is not built")

PREFIX = "vwlabtest"
demo = os.path.join(vwtest.SOURCE, "tests", "lab", "demo.sh")
env = dict(os.environ, VW_LAB_SKIP_BUILD="1", VW_LAB_SKIP_DEPS="1", VW_LAB_PREFIX=PREFIX, VW_BUILD_ROOT=vwtest.BUILD,
           VW_SOURCE_ROOT=vwtest.SOURCE)
p = subprocess.Popen(["bash", demo], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
try:
    out, _ = p.communicate(timeout=85)
except subprocess.TimeoutExpired:
    p.terminate()
    out, _ = p.communicate(timeout=30)
    vwtest.log(out)
    fail("the lab did not finish within 85 s")
vwtest.log(out)
run = p.pid

check(p.returncode == 0, f"demo.sh exits 0 (got {p.returncode})")
check("OK: exactly the expected alerts" in out, "the lab's verdict: exactly the expected alerts")

devices = out.split("=== vendorwatchctl devices", 1)[-1].split("===", 1)[0]
for mac_id, vendor, role, policy in (("mac:00e0fc3a1001", "huawei", "core", "VIOLATION"),
                                     ("mac:001b543a1002", "cisco", "core", "ok"),
                                     ("mac:0860833a1003", "zte", "edge", "ok"),
                                     ("mac:4447cc3a1004", "hikvision", "edge", "VIOLATION")):
    row = next((l.split() for l in devices.splitlines() if l.startswith(mac_id)), None)
    check(row is not None and vendor in row and role in row and row[-1] == policy,
          f"devices: {mac_id} {vendor} {role} {policy} ({row})")
check("4 devices." in devices, "devices: four, no more")

alerts = out.split("=== vendorwatchctl alerts", 1)[-1].split("===", 1)[0]
check("2 alerts." in alerts, "alerts: two")
check(any("huawei" in l and "core" in l and "raised" in l for l in alerts.splitlines()), "alerts: the Huawei in core")
check(any("hikvision" in l and "edge" in l and "raised" in l for l in alerts.splitlines()),
      "alerts: the Hikvision camera at the edge")

syslog = [l for l in out.split("=== syslog lines", 1)[-1].split("===", 1)[0].splitlines() if "alert=" in l]
check(len(syslog) == 2, f"two syslog lines ({len(syslog)})")
check(any("local5.crit" in l and "device=mac:00e0fc3a1001" in l and 'rule="huawei in core"' in l for l in syslog),
      "syslog: the Huawei, crit, rule huawei in core")
check(any("local5.err" in l and "device=mac:4447cc3a1004" in l and 'rule="hikvision in edge"' in l for l in syslog),
      "syslog: the camera, err, rule hikvision in edge")

left = [l for l in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.splitlines()
        if l.startswith(f"{PREFIX}{run}-")]
check(not left, f"no namespace of the run left ({left})")
procs = subprocess.run(["pgrep", "-f", f"{PREFIX}{run}-"], capture_output=True, text=True).stdout.split()
check(not procs, f"no process of the run left ({procs})")
check(not [e for e in os.listdir("/tmp") if e.startswith(f"{PREFIX}{run}-")], "its folder removed")
