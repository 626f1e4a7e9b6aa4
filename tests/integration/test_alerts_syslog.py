#!/usr/bin/env python3
"""Alerts through a real rsyslog, and the store across restarts.

rsyslog listens on a socket in the test's folder; the daemon runs in a
private mount namespace whose /dev/log points at it, with
alerts.transport = "syslog".  A Huawei in a core segment raises exactly one
line, the same model in an edge segment none; a waiver and a re-segmenting
reload each clear with one line; a restart keeps the inventory and the open
alert and raises nothing twice; SIGKILL in the middle of a burst loses
nothing that `sync` acknowledged; a feed that goes silent leaves its
violation open and raises a source-lost alert."""
import json
import os
import signal
import socket
import subprocess

import vwtest
from vwtest import check, fail

vwtest.need_root()
vwtest.need_prog("rsyslogd", "unshare", "mount")

D = vwtest.tmpdir()
LOG_SOCK = os.path.join(D, "log.sock")
ALERTS = os.path.join(D, "alerts.log")

# --- rsyslog, configured here ------------------------------------------------
with open(os.path.join(D, "rsyslog.conf"), "w") as f:
    f.write(f'''global(workDirectory="{D}")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="{LOG_SOCK}" CreatePath="on" RateLimit.Interval="0")
template(name="vw" type="string" string="%syslogtag%|%syslogfacility-text%|%syslogseverity-text%|%msg%\\n")
*.* action(type="omfile" file="{ALERTS}" template="vw")
''')
rsyslog = subprocess.Popen(["rsyslogd", "-n", "-f", os.path.join(D, "rsyslog.conf"),
                            "-i", os.path.join(D, "rsyslog.pid")],
                           stdout=subprocess.DEVNULL, stderr=open(os.path.join(D, "rsyslog.err"), "w"))
vwtest.at_exit(lambda: vwtest._stop(rsyslog))
vwtest.wait_for(lambda: os.path.exists(LOG_SOCK), what="rsyslog's socket")

# --- a private /dev whose log is rsyslog's socket ------------------------------
WRAP = vwtest.private_dev_log(D, LOG_SOCK)

marker_no = 0


def syslog_lines():
    """Every line rsyslog wrote so far, after a marker proves it is all there."""
    global marker_no
    marker_no += 1
    tag = f"vwtest-marker-{marker_no}"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(f"<14>{tag}: end".encode(), LOG_SOCK)
    s.close()
    def read():
        try:
            with open(ALERTS) as f:
                text = f.read()
        except FileNotFoundError:
            return None
        return text if tag in text else None
    text = vwtest.wait_for(read, what="rsyslog to write the marker")
    return [l for l in text.splitlines() if "vendorwatch alert=" in l]


def lines(event, device=None, kind=None):
    out = []
    for l in syslog_lines():
        if f"alert={event} " not in l:
            continue
        if device and f" device={device} " not in l:
            continue
        if kind and f" kind={kind} " not in l:
            continue
        out.append(l)
    return out


def wait_line(event, device=None, kind=None, n=1):
    return vwtest.wait_for(lambda: (lambda l: l if len(l) >= n else None)(lines(event, device, kind)),
                           what=f"{n} alert={event} line(s) for {device or kind}")


CORE = "mac:00e0fc000001"
EDGE = "mac:00e0fc000002"
MOVED = "mac:00e0fc000003"
KEPT = "mac:00e0fc000005"


huawei = vwtest.huawei_observation


def config(extra_segments="", alerts_extra=""):
    return f'''
plugins = ( {{ name = "jsonl"; path = "{FEED}"; }} );
segments = (
        {{ name = "core"; role = "core"; prefixes = [ "10.0.0.0/24", "2001:db8::/64" ]; }},
        {{ name = "edge"; role = "edge"; prefixes = [ "10.1.0.0/24" ]; }}{extra_segments}
);
policy = {{
        restricted = ( {{ vendor = "huawei"; roles = [ "core" ]; severity = "crit"; min_confidence = 0.3; }} );
}};
alerts = {{ transport = "syslog"; facility = "local3"; ident = "vwtest"; {alerts_extra} }};
'''


d = vwtest.Daemon(d=D, prefix=["unshare", "-m", WRAP])
FEED = os.path.join(D, "feed")
os.mkfifo(FEED)
d.write_config(config())
d.start()
fifo = open(FEED, "w", buffering=1)


def send(*objs):
    for o in objs:
        fifo.write(json.dumps(o) + "\n")
    fifo.flush()


def observations():
    return d.ctl("status")["counters"]["observations"]


def restart_wait():
    """Start again and wait for a READY=1 of the new process (a reload also
    sends READY=1: drop what the old process left in the socket)."""
    d.notify.sock.setblocking(False)
    try:
        while True:
            d.notify.sock.recv(4096)
    except BlockingIOError:
        pass
    d.notify.sock.setblocking(True)
    d.notify.messages.clear()
    d.start()


def device(id_):
    for x in d.devices():
        if x["id"] == id_:
            return x
    return None


def open_alerts():
    r = d.ctl("alerts")
    r = r if isinstance(r, list) else [r] if r else []
    return [a for a in r if isinstance(a, dict) and a.get("state") == "raised"]


# --- raise once, core only ---------------------------------------------------
send(huawei(1, "10.0.0.1"), huawei(2, "10.1.0.1"))
vwtest.wait_for(lambda: (device(CORE) or {}).get("violation") and device(EDGE), what="both devices evaluated")
check(device(CORE)["role"] == "core" and device(CORE)["segment"] == "core", "10.0.0.1 is in the core segment")
check(device(EDGE)["role"] == "edge" and not device(EDGE)["violation"], "10.1.0.1 is edge: allowed")
send(huawei(1, "10.0.0.1"), huawei(2, "10.1.0.1"), huawei(1, "10.0.0.1"))     # seen again
vwtest.wait_for(lambda: observations() >= 5, what="the repeats")
d.ctl("sync")
raised = wait_line("raised", CORE)
check(len(lines("raised", CORE)) == 1, "exactly one raise line for the core Huawei")
check(lines("raised", EDGE) == [] and lines("cleared", EDGE) == [], "no line for the edge Huawei")
l = raised[0]
check(l.startswith("vwtest[") and "|local3|crit|" in l, f"ident, facility and severity as configured ({l.split('|')[0:3]})")
for kv in (f"device={CORE}", "vendor=huawei", "role=core", "segment=core", "mgmt=10.0.0.1",
           "chassis=00:e0:fc:00:00:01", 'rule="huawei in core"'):
    check(kv in l, f"the raise line carries {kv}")

# --- waive: clear ------------------------------------------------------------
r = d.ctl("waive", CORE, "--until", "2099-12-31", "--reason", "replacement ordered")
cleared = wait_line("cleared", CORE)
check(len(cleared) == 1 and "reason=waived" in cleared[0], "waiving clears with one line (reason=waived)")
check(device(CORE)["waived"] and not device(CORE)["violation"], "the device is waived, not violating")
bad = d.ctl("waive", CORE, "--until", "2000-01-01", "--reason", "x", json_out=False, check=False)
check(bad.returncode != 0, "a waiver in the past is refused")

# --- re-segment by reload: clear ---------------------------------------------
send(huawei(3, "10.0.0.3"))
wait_line("raised", MOVED)
d.write_config(config(extra_segments=',\n        { name = "lab"; role = "edge"; prefixes = [ "10.0.0.3/32" ]; }'))
d.ctl("reload")
cleared = wait_line("cleared", MOVED)
check(len(cleared) == 1 and "reason=re-segmented" in cleared[0], "re-segmenting to edge clears with one line")
check(device(MOVED)["segment"] == "lab", "longest prefix wins: 10.0.0.3/32 beats 10.0.0.0/24")
segs = d.ctl("segments")
segs = [s for s in (segs if isinstance(segs, list) else [segs]) if isinstance(s, dict) and "name" in s]
by_name = {s["name"]: s for s in segs}
check(by_name.get("lab", {}).get("devices") == 1 and by_name["lab"]["vendors"].get("huawei") == 1,
      "segments counts devices per segment and vendor")

# --- restart: inventory and open alert survive, nothing raised twice ----------
send(huawei(5, "10.0.0.5"))
wait_line("raised", KEPT)
before = {x["id"] for x in d.devices()}
d.ctl("sync")
check(d.stop() == 0, "the daemon stops cleanly on SIGTERM")
restart_wait()
after = {x["id"] for x in d.devices()}
check(before <= after, f"all {len(before)} devices restored from the store")
check(any(a.get("device") == KEPT for a in open_alerts()), "the open alert survived the restart")
check(device(CORE)["waived"], "the runtime waiver survived the restart")
send(huawei(5, "10.0.0.5"))
vwtest.wait_for(lambda: observations() >= 1, what="the re-announcement")
d.ctl("sync")
check(len(lines("raised", KEPT)) == 1, "nothing raised twice after the restart")
check(len(lines("raised", CORE)) == 1, "the waived device was not raised again either")

# --- SIGKILL during a burst ----------------------------------------------------
def burst_dev(i):
    return {"chassis_id": "00:1b:54:%02x:%02x:%02x" % (0x10, i >> 8, i & 0xff), "chassis_subtype": "mac",
            "sys_name": f"burst-{i}", "sys_descr": "Cisco IOS Software", "addresses": [f"10.2.{i >> 8}.{i & 0xff}"]}

base = observations()
send(*[burst_dev(i) for i in range(400)])
vwtest.wait_for(lambda: observations() >= base + 400, what="the first half of the burst received")
acked = d.ctl("sync")["committed"]
check(acked > 0, f"sync acknowledges change {acked}")
send(*[burst_dev(i) for i in range(400, 800)])
d.proc.send_signal(signal.SIGKILL)
d.proc.wait(30)
d.logf.close()
restart_wait()
have = {x["id"] for x in d.devices()}
missing = [i for i in range(400) if "mac:001b5410%02x%02x" % (i >> 8, i & 0xff) not in have]
check(not missing, f"every device acknowledged by sync survived SIGKILL ({len(missing)} missing)")
check(d.ctl("sync")["committed"] >= acked, "change numbers keep counting after the restart")
check(any(a.get("device") == KEPT for a in open_alerts()), "the open alert survived SIGKILL too")

# --- a silent source: the alert stays open, source-lost is raised --------------
d.write_config(config(extra_segments=',\n        { name = "lab"; role = "edge"; prefixes = [ "10.0.0.3/32" ]; }',
                      alerts_extra="source_timeout_sec = 2;"))
d.ctl("reload")
send(huawei(5, "10.0.0.5"))
lost = wait_line("raised", kind="source-lost")
check("source=jsonl" in lost[0], "a source-lost alert names the silent source")
check(any(a.get("device") == KEPT for a in open_alerts()), "the violation stays open while the source is blind")
vwtest.wait_for(lambda: (device(KEPT) or {}).get("state") == "stale", what="the device to turn stale")
check(lines("cleared", KEPT) == [], "losing sight cleared nothing")
send(huawei(5, "10.0.0.5"))
back = wait_line("cleared", kind="source-lost")
check("reason=\"source back\"" in back[0], "the source-lost alert clears when the source speaks again")
check(d.stop() == 0, "clean stop")
