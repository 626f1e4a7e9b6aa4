#!/usr/bin/env python3
"""Crash durability: SIGKILL at random moments during a burst of updates,
repeated.  After each restart the store opens (READY=1), every update that
`vendorwatchctl sync` acknowledged before the kill is there, and no open
alert is raised twice (each violating device has one alert record, with
the id and raise time it had before the kill).

A burst is a FIFO feed of updates cycling over a set of devices, half of
them Huawei (violations: unknown roles count as core), half Cisco; update
number k sets the device's sys_name to "u<k>", so "acknowledged update
present" reads as "the stored number is at least the last acknowledged one".

Sizes come from the environment (the suite runs a short version):
  VW_DURABILITY_KILLS    kills (default 3)
  VW_DURABILITY_UPDATES  updates per burst (default 3000)
  VW_DURABILITY_DEVICES  devices (default 200)
  VW_DURABILITY_SEED     random seed (default: time)
tests/bench/durability-campaign runs 20 kills x 100,000 updates."""
import json
import os
import random
import signal
import socket
import threading
import time

import vwtest
from vwtest import check

KILLS = int(os.environ.get("VW_DURABILITY_KILLS", "3"))
UPDATES = int(os.environ.get("VW_DURABILITY_UPDATES", "3000"))
DEVICES = int(os.environ.get("VW_DURABILITY_DEVICES", "200"))
SEED = int(os.environ.get("VW_DURABILITY_SEED", str(int(time.time()))))
rng = random.Random(SEED)
vwtest.log(f"seed {SEED}: {KILLS} kills, {UPDATES} updates per burst over {DEVICES} devices")

d = vwtest.Daemon()
feed = os.path.join(d.dir, "feed")
os.mkfifo(feed)
d.write_config(f'plugins = ( {{ name = "jsonl"; path = "{feed}"; }} );\n'
               'policy = { unknown_as = "core";\n'
               '  restricted = ( { vendor = "huawei"; roles = [ "core" ]; severity = "crit"; } ); };\n'
               'alerts = { transport = "syslog"; };\n')


def mac(i):
    return ("00:e0:fc" if i % 2 == 0 else "00:1b:54") + ":%02x:%02x:%02x" % (i >> 16 & 255, i >> 8 & 255, i & 255)


def dev_id(i):
    return "mac:" + mac(i).replace(":", "")


def update(k):
    i = k % DEVICES
    descr = "Huawei Versatile Routing Platform Software" if i % 2 == 0 else "Cisco IOS Software, C2960"
    return json.dumps({"chassis_id": mac(i), "chassis_subtype": "mac", "sys_name": f"u{k}",
                       "sys_descr": descr, "ttl": 3600}) + "\n"


def request(obj):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(d.sock)
    s.sendall((json.dumps(obj) + "\n").encode())
    f = s.makefile("rb")
    lines = [json.loads(f.readline())]
    if lines[0].get("stream"):
        while True:
            o = json.loads(f.readline())
            if o.get("end"):
                break
            lines.append(o)
    s.close()
    return lines


def stored_state():
    devs = {x["id"]: x for x in request({"command": "devices"})[1:]}
    alerts = request({"command": "alerts", "all": True})[1:]
    return devs, alerts


def check_alerts(alerts, before, what):
    """One alert record per violating device; open ones keep id and raise time."""
    by_dev = {}
    for a in alerts:
        by_dev.setdefault(a["device"], []).append(a)
    twice = {k: v for k, v in by_dev.items() if len(v) > 1}
    if twice:
        vwtest.fail(f"{what}: alerts raised twice: {json.dumps(twice)[:500]}")
    for a in alerts:
        old = before.get(a["device"])
        if old and (old["id"] != a["id"] or old["raised_usec"] != a["raised_usec"]):
            vwtest.fail(f"{what}: alert for {a['device']} changed across the restart: {old} -> {a}")
    return {a["device"]: a for a in alerts}


fd = None
d.start()
acked = {}          # device index -> last acknowledged update number
alerts_before = {}
k = 0
n_syncs = 0
t0 = time.monotonic()
for kill in range(KILLS + 1):
    if fd is None:
        fd = os.open(feed, os.O_WRONLY)     # the writer outlives each daemon: queued lines wait in the pipe
    devs, alerts = stored_state()
    # every acknowledged update is present
    for i, last in acked.items():
        x = devs.get(dev_id(i))
        if x is None or int(x["sys_name"][1:]) < last:
            vwtest.fail(f"after kill {kill}: device {dev_id(i)} lost acknowledged update u{last}: {x and x['sys_name']}")
    alerts_before = check_alerts(alerts, alerts_before, f"after kill {kill}")
    if kill == KILLS:
        break

    # a burst, with syncs along the way, killed at a random point
    kill_at = k + rng.randrange(UPDATES // 4, UPDATES)
    next_sync = k + rng.randrange(50, 500)
    while k < kill_at:
        os.write(fd, update(k).encode())
        k += 1
        if k == next_sync and k < kill_at:
            # once the daemon has read update k-1 (its device shows it),
            # sync covers every update before k
            last = k - 1
            vwtest.wait_for(lambda: request({"command": "device", "id": dev_id(last % DEVICES)})[0]
                            .get("device", {}).get("sys_name") == f"u{last}",
                            what=f"update {last} read", interval=0.005)
            r = request({"command": "sync"})[0]
            if not r.get("ok"):
                vwtest.fail(f"sync refused: {r}")
            for j in range(max(0, k - DEVICES), k):
                acked[j % DEVICES] = j
            n_syncs += 1
            next_sync = k + rng.randrange(50, 500)
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait(10)
    d.logf.close()
    d.start()       # the new daemon reads on from the pipe
    vwtest.log(f"kill {kill + 1}: at update {k}, restarted")

vwtest.log(f"{KILLS} kills, {k} updates, {n_syncs} syncs in {time.monotonic() - t0:.1f} s")
check(True, f"{KILLS} SIGKILLs during bursts: the store opened after each, every synced update present")
check(len(alerts_before) == DEVICES // 2 and all(a["state"] == "raised" for a in alerts_before.values()),
      f"one open alert per Huawei device ({len(alerts_before)}), none raised twice across the kills")
os.close(fd)
check(d.stop() == 0, "clean exit")
