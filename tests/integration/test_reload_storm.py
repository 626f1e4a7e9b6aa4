#!/usr/bin/env python3
"""Reload storm: 100 SIGHUPs alternating good and bad configs while a FIFO
feed streams observations.  The daemon stays up, answers RELOADING=1 then
READY=1 for every one, refuses each bad config with file:line in the log,
keeps the last good config in force (each good one names its own
plugin_dir, visible in `status`), loses no observation, and holds the same
fds afterwards."""
import json
import os
import signal
import threading
import time

import vwtest
from vwtest import check

N_RELOADS = 100
N_DEVICES = 4000

d = vwtest.Daemon()
feed = os.path.join(d.dir, "feed")
os.mkfifo(feed)
# Every good config points plugin_dir at its own name for the build's plugins.
for name in ["start"] + [str(i) for i in range(0, N_RELOADS, 2)]:
    os.symlink(vwtest.PLUGIN_DIR, os.path.join(d.dir, f"plugins-{name}"))

# Lines 1-5 of every config; a bad one breaks exactly one line.
def config(plugin_dir, line4=None, line5=None, line6=None):
    lines = [f'control = {{ socket = "{d.sock}"; }};',
             f'store = {{ path = "{os.path.join(d.dir, "inventory.db")}"; }};',
             f'plugin_dir = "{plugin_dir}";',
             line4 or f'plugins = ( {{ name = "jsonl"; path = "{feed}"; }} );',
             line5 or 'log = { level = "info"; };']
    if line6:
        lines.append(line6)
    return "\n".join(lines) + "\n"


# (line of the fault, text of the config, a word the refusal must carry)
BAD = [
    (6, lambda p: config(p, line6="inventory = { max_devices = 0; };"), "out of range"),
    (6, lambda p: config(p, line6="frobnicate = 1;"), "unknown key"),
    (5, lambda p: config(p, line5='log = { level = "loud"; };'), "loud"),
    (6, lambda p: config(p, line6="inventory = { max_devices = ; };"), "syntax error"),
    (4, lambda p: config(p, line4=f'plugins = ( {{ name = "jsonl"; path = "{feed}"; max_line = 1; }} );'),
     "max_line"),
    (6, lambda p: config(p, line6='inventory = { retention_days = "long"; };'), "integer"),
    (4, lambda p: config(p, line4=f'plugins = ( {{ name = "jsonl"; path = "{feed}"; colour = "red"; }} );'),
     "unknown key"),
]


def install(text):
    tmp = d.conf + ".new"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, d.conf)


install(config(os.path.join(d.dir, "plugins-start")))
d.start()
pid = d.proc.pid

# The feed: N_DEVICES observations streamed while the storm runs.


def stream():
    """As an exporter writes: one whole line per write(2), so every line
    reaches the pipe in one piece."""
    fd = os.open(feed, os.O_WRONLY)
    try:
        for i in range(N_DEVICES):
            line = json.dumps({"chassis_id": "00:1b:54:%02x:%02x:%02x" % (i >> 16 & 255, i >> 8 & 255, i & 255),
                               "chassis_subtype": "mac", "sys_name": f"edge-{i}",
                               "sys_descr": "Cisco IOS Software, C2960 Software"}) + "\n"
            os.write(fd, line.encode())
            written[0] += 1
            if i % 100 == 99:
                time.sleep(0.05)        # pacing, so the feed spans the storm
    except OSError as e:
        errors.append(e)
    finally:
        os.close(fd)


written, errors = [0], []
d.ctl("status")     # the start-up is over: the fds held now are the steady ones
fds_before = len(os.listdir(f"/proc/{pid}/fd"))
feeder = threading.Thread(target=stream)
feeder.start()

refusals_expected = []
t0 = time.monotonic()
for i in range(N_RELOADS):          # even: good, odd: bad; the last one is bad
    if i % 2 == 0:
        install(config(os.path.join(d.dir, f"plugins-{i}")))
    else:
        line, make, word = BAD[(i // 2) % len(BAD)]
        install(make(os.path.join(d.dir, f"plugins-{i - 1}")))     # only the fault differs
        refusals_expected.append((line, word))
    d.send_signal(signal.SIGHUP)
    m = d.notify.wait("RELOADING=1")
    if "MONOTONIC_USEC=" not in m:
        vwtest.fail(f"reload {i}: RELOADING=1 without MONOTONIC_USEC")
    d.notify.wait("READY=1")
    if d.proc.poll() is not None:
        vwtest.fail(f"daemon died at reload {i}")
vwtest.log(f"{N_RELOADS} reloads in {time.monotonic() - t0:.1f} s")
check(True, f"{N_RELOADS} SIGHUPs each answered with RELOADING=1 (with MONOTONIC_USEC) then READY=1")
last_good = N_RELOADS - 2
install(config(os.path.join(d.dir, "plugins-unused")))     # on disk only: never signalled

st = d.ctl("status")
check(st["counters"]["reloads"] == N_RELOADS // 2, f"{N_RELOADS // 2} good configs reloaded ({st['counters']})")
check(st["counters"]["reload_failures"] == N_RELOADS - N_RELOADS // 2, f"{N_RELOADS - N_RELOADS // 2} bad configs refused")
check(st["plugin_dir"] == os.path.join(d.dir, f"plugins-{last_good}"),
      f"the last good config is in force (plugin_dir plugins-{last_good})")
check([p["state"] for p in st["plugins"]] == ["running"], "the feed's plugin runs under it")

feeder.join(60)
check(not feeder.is_alive() and not errors and written[0] == N_DEVICES,
      f"the feed was written in full, no EPIPE during any reload ({written[0]} lines, errors {errors})")
vwtest.wait_for(lambda: d.ctl("status")["devices"] == N_DEVICES, timeout=30,
                what=f"all {N_DEVICES} streamed devices (now {d.ctl('status')['devices']})")
check(True, f"all {N_DEVICES} observations streamed during the storm arrived")

log = d.log_text()
refused = [l for l in log.splitlines() if "Reload refused" in l]
check(len(refused) == len(refusals_expected), f"{len(refused)} refusals logged, one per bad config")
for n, ((line, word), text) in enumerate(zip(refusals_expected, refused)):
    if f"vendorwatch.conf:{line}:" not in text or word not in text:
        vwtest.fail(f"refusal {n}: want vendorwatch.conf:{line}: and \"{word}\", got: {text}")
check(True, "each refusal names vendorwatch.conf:LINE and the reason")

fds_after = vwtest.wait_for(lambda: (lambda n: n if n <= fds_before else None)(len(os.listdir(f"/proc/{pid}/fd"))),
                            timeout=10, what=f"fd count back to {fds_before} (now {len(os.listdir(f'/proc/{pid}/fd'))})")
check(fds_after <= fds_before, f"no fd leak across the storm ({fds_before} fds before, {fds_after} after)")
check(d.stop() == 0, "clean exit after the storm")
