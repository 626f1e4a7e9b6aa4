#!/usr/bin/env python3
"""Alerts through a real systemd-journald, with alerts.transport = "auto".

The test runs in a private mount namespace of its own (it re-executes itself
under `unshare -m`) with tmpfs over /run/systemd, /run/log and
/var/log/journal, starts Debian's systemd-journald there (it opens its own
sockets), and runs the daemon in the same namespace: "auto" finds the
journal's socket and sends each transition with sd_journal_send.  A Huawei in
a core segment raises exactly one entry with the raise MESSAGE_ID and the
VENDORWATCH_* fields; the same model at the edge none; a waiver clears it
with one entry carrying the clear MESSAGE_ID.  Nothing goes to syslog as
well (journald's /dev/log socket is in the same namespace and would show it:
the SIEM must not see an alert twice)."""
import glob
import json
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vwtest  # noqa: E402
from vwtest import check, wait_for  # noqa: E402

JOURNALD = next((p for p in ("/lib/systemd/systemd-journald", "/usr/lib/systemd/systemd-journald")
                 if os.path.exists(p)), None)
RAISED = "6fc030f2850c4eb0958f61ae74b1b32b"
CLEARED = "f99aad67932c419f952211f03c83aadb"

vwtest.need_root()
vwtest.need_prog("unshare", "mount", "journalctl", vwtest.VWD, vwtest.VWCTL)
if not JOURNALD:
    vwtest.skip("systemd-journald not installed")
if not os.path.exists(os.path.join(vwtest.PLUGIN_DIR, "jsonl.so")):
    vwtest.skip("jsonl plugin not built")
if os.environ.get("VW_JOURNAL_PRIVATE") != "1":
    # the mounts below vanish with the test's own mount namespace (exec: the
    # test runner's signals reach the test itself)
    os.execvpe("unshare", ["unshare", "-m", "--propagation", "private", sys.executable, os.path.abspath(__file__)],
               dict(os.environ, VW_JOURNAL_PRIVATE="1"))

for where in ("/run/systemd", "/run/log", "/var/log/journal"):
    os.makedirs(where, exist_ok=True)
    vwtest.sh("mount", "-t", "tmpfs", "-o", "mode=0755", "vwtest-journal", where)
os.makedirs("/run/systemd/journal", exist_ok=True)
journald = subprocess.Popen([JOURNALD], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
vwtest.at_exit(lambda: vwtest._stop(journald))
wait_for(lambda: os.path.exists("/run/systemd/journal/socket"), what="journald's socket")

CORE = "mac:00e0fc000001"
EDGE = "mac:00e0fc000002"


huawei = vwtest.huawei_observation


def entries(**match):
    """The journal's entries (flushed first: `journalctl --sync`) matching fields."""
    vwtest.sh("journalctl", "--sync", check=False)
    files = glob.glob("/run/log/journal/*/*.journal")
    if not files:
        return []
    args = ["journalctl", "--no-pager", "-o", "json"]
    for f in files:
        args += ["--file", f]
    args += [f"{k}={v}" for k, v in match.items()]
    r = subprocess.run(args, capture_output=True, text=True)
    return [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]


# the daemon's /dev/log is journald's syslog socket, so a line it sent through
# syslog(3) as well would be seen
D = vwtest.tmpdir()
DEV_LOG = "/run/systemd/journal/dev-log"
d = vwtest.Daemon(d=D, prefix=["unshare", "-m", vwtest.private_dev_log(D, DEV_LOG)])
feed = os.path.join(d.dir, "feed.jsonl")
with open(feed, "w") as f:
    f.write(json.dumps(huawei(1, "10.0.0.1")) + "\n")
    f.write(json.dumps(huawei(2, "10.1.0.1")) + "\n")
d.write_config(f'plugins = ( {{ name = "jsonl"; path = "{feed}"; }} );\n' + vwtest.CORE_EDGE_POLICY
               + 'alerts = { transport = "auto"; };\n')
d.start()
wait_for(lambda: d.ctl("status")["devices"] >= 2, what="both devices")
d.ctl("sync")

raised = wait_for(lambda: entries(MESSAGE_ID=RAISED) or None, what="a raise entry in the journal")
check(len(raised) == 1, f"exactly one raise entry ({len(raised)})")
e = raised[0]
check(e.get("VENDORWATCH_DEVICE") == CORE, "it is the core device's")
check(e.get("VENDORWATCH_VENDOR") == "huawei" and e.get("VENDORWATCH_ROLE") == "core"
      and e.get("VENDORWATCH_SEGMENT") == "core", "vendor, role and segment as fields")
check(e.get("VENDORWATCH_MGMT") == "10.0.0.1" and e.get("VENDORWATCH_CHASSIS") == "00:e0:fc:00:00:01",
      "management address and chassis ID as fields")
check(e.get("PRIORITY") == "2", "severity crit is PRIORITY=2")
check(e.get("SYSLOG_IDENTIFIER") == "vendorwatchd", "identifier vendorwatchd")
check("alert=raised" in e.get("MESSAGE", "") and f"device={CORE}" in e.get("MESSAGE", ""),
      "MESSAGE is the one-line form")
check(not entries(VENDORWATCH_DEVICE=EDGE), "nothing for the edge device")

r = d.ctl("waive", CORE, "--until", "2099-12-31", "--reason", "replacement ordered")
cleared = wait_for(lambda: entries(MESSAGE_ID=CLEARED) or None, what="a clear entry in the journal")
check(len(cleared) == 1 and cleared[0].get("VENDORWATCH_DEVICE") == CORE, "the waiver clears with one entry")
check("reason=waived" in cleared[0].get("MESSAGE", ""), "the clear says why")

# never both: an alert line through syslog(3) would land here too (journald's
# /dev/log), without a MESSAGE_ID
twice = [x for x in entries(SYSLOG_IDENTIFIER="vendorwatchd")
         if "alert=" in x.get("MESSAGE", "") and not x.get("MESSAGE_ID")]
check(not twice, f"no alert also went through syslog ({len(twice)})")
check(len(entries(MESSAGE_ID=RAISED)) == 1, "still one raise entry: nothing raised twice")
check(d.stop() == 0, "the daemon stops cleanly")

# the check above could fail: a syslog line on that socket is in the journal
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"<26>vendorwatchd: vendorwatch alert=raised device=probe", DEV_LOG)
s.close()
probe = wait_for(lambda: [x for x in entries(SYSLOG_IDENTIFIER="vendorwatchd")
                          if "device=probe" in x.get("MESSAGE", "")] or None, what="the syslog probe line")
check(not probe[0].get("MESSAGE_ID"), "a syslog line reaches the same journal, without a MESSAGE_ID")
