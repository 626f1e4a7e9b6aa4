#!/usr/bin/env python3
"""The store's disk fills up, then has room again.

The test runs in a private mount namespace of its own (it re-executes
itself under `unshare -m`), with the store on a tmpfs of 2 MiB, all but
256 KiB of it taken by a filler file.  Devices arrive through the jsonl plugin (a
FIFO), in chunks, each followed by `vendorwatchctl sync`, until the disk is
full.  Then:
  - `sync` fails (non-zero exit, a message about the disk) instead of
    acknowledging what is not written, and keeps failing while it is full;
  - the daemon logs one clear error naming the store file and SQLITE_FULL,
    keeps running, and serves every device fed (before and after the disk
    filled) from memory; `status` shows the error and what waits;
  - the filler is deleted: `sync` succeeds again, the log says writes
    resumed;
  - after a restart on the same store every device fed is there.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vwtest  # noqa: E402
from vwtest import check, wait_for  # noqa: E402

vwtest.need_root()
vwtest.need_prog("unshare", "mount", "umount", vwtest.VWD, vwtest.VWCTL)
if not os.path.exists(os.path.join(vwtest.PLUGIN_DIR, "jsonl.so")):
    vwtest.skip("jsonl plugin not built")
if os.environ.get("VW_DISKFULL_PRIVATE") != "1":
    # mounts made from here on vanish with the test's own mount namespace
    # (exec: the test runner's signals reach the test itself)
    os.execvpe("unshare", ["unshare", "-m", "--propagation", "private", sys.executable, os.path.abspath(__file__)],
               dict(os.environ, VW_DISKFULL_PRIVATE="1"))

d = vwtest.tmpdir()
mnt = os.path.join(d, "state")
os.mkdir(mnt)
vwtest.sh("mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "vwtest-diskfull", mnt)
vwtest.at_exit(lambda: vwtest.sh("umount", "-l", mnt, check=False))
filler = os.path.join(mnt, "filler")
with open(filler, "wb") as f:
    f.write(b"\0" * (1792 * 1024))
store = os.path.join(mnt, "inventory.db")

daemon = vwtest.Daemon(d=d)
feed = os.path.join(d, "feed")
os.mkfifo(feed)


def write_config():
    daemon.write_config(f'plugins = ( {{ name = "jsonl"; path = "{feed}"; }} );\n')
    with open(daemon.conf) as f:
        text = f.read()
    with open(daemon.conf, "w") as f:
        f.write(text.replace(f'path = "{os.path.join(d, "inventory.db")}"', f'path = "{store}"'))


write_config()
daemon.start()
fd = os.open(feed, os.O_WRONLY)
fed = []


def dev_id(n):
    return "mac:001b54" + "%06x" % n


def feed_devices(n):
    lines = []
    for _ in range(n):
        k = len(fed)
        mac = "00:1b:54:" + ":".join("%02x" % (k >> s & 255) for s in (16, 8, 0))
        lines.append(json.dumps({"chassis_id": mac, "chassis_subtype": "mac", "sys_name": f"dev-{k}",
                                 "sys_descr": f"filler text {k} " + "x" * 1500, "ttl": 3600}) + "\n")
        fed.append(dev_id(k))
    os.write(fd, "".join(lines).encode())
    last = fed[-1]
    wait_for(lambda: any(x.get("id") == last for x in daemon.devices()), timeout=30,
             what=f"the daemon to read {last}")


def usage():
    return ", ".join(f"{n} {os.path.getsize(os.path.join(mnt, n)) // 1024} KiB" for n in sorted(os.listdir(mnt)))


def sync():
    return daemon.ctl("sync", json_out=False, check=False)


# ---- fill the disk ----
acked = 0
for chunk in range(200):
    feed_devices(10)
    r = sync()
    if r.returncode != 0:
        break
    acked = len(fed)
else:
    vwtest.fail("the disk never filled")
vwtest.log(f"disk full after {len(fed)} devices ({acked} acknowledged): {usage()}; sync said: {r.stderr.strip()}")
check(acked > 0, f"{acked} devices written before the disk filled")
msg = r.stderr.lower()
check("disk" in msg or "space" in msg, f"sync fails with a clear message ({r.stderr.strip()})")

log = wait_for(lambda: (lambda t: t if "SQLITE_FULL" in t else None)(daemon.log_text()), timeout=10,
               what="the store error in the log")
line = next(l for l in log.splitlines() if "SQLITE_FULL" in l)
check(store in line, f"the error names the store file ({line.strip()})")

# ---- still serving while the disk is full ----
feed_devices(20)
check(sync().returncode != 0, "sync keeps failing while the disk is full")
check(daemon.proc.poll() is None, "the daemon keeps running")
ids = {x.get("id") for x in daemon.devices()}
check(all(i in ids for i in fed), f"all {len(fed)} devices fed are served from memory")
check(daemon.log_text().count("SQLITE_FULL") == 1, "the error is logged once, not per batch")
st = daemon.ctl("status")["audit"]["store"]
check("SQLITE_FULL" in st.get("error_detail", "") and st.get("pending", 0) > 0 and st.get("lost") == 0,
      f"status shows the error and the changes waiting ({st.get('error_detail')}, {st.get('pending')} pending, "
      f"{st.get('failed_batches')} failed batches)")

# ---- room again ----
os.unlink(filler)
r = wait_for(lambda: (lambda r: r if r.returncode == 0 else None)(sync()), timeout=30,
             what="sync to succeed once there is room")
check(True, f"sync succeeds once there is room ({r.stdout.strip()})")
check("resumed" in daemon.log_text(), "the log says writes resumed")
feed_devices(10)
check(sync().returncode == 0, "later writes are acknowledged too")

vwtest.log(f"after freeing the filler: {usage()}")

# ---- everything fed is in the store ----
check(daemon.stop() == 0, "clean stop")
daemon.start()
ids = {x.get("id") for x in daemon.devices()}
missing = [i for i in fed if i not in ids]
check(not missing, f"all {len(fed)} devices fed are in the store after a restart (missing {len(missing)})")

# ---- stopped while the disk is full: what could not be written is said ----
with open(filler, "wb") as f:
    try:
        while True:
            f.write(b"\0" * 65536)
            f.flush()
    except OSError:
        pass
fd = os.open(feed, os.O_WRONLY)
for chunk in range(50):
    feed_devices(10)
    if sync().returncode != 0:
        break
else:
    vwtest.fail("the disk did not fill again")
daemon.stop()
lost = [l for l in daemon.log_text().splitlines() if "could not be written to the store" in l]
check(len(lost) == 1 and store in lost[0], f"stopping on a full disk says, once and naming the file, what is lost "
      f"({lost[-1].strip() if lost else 'no line'})")
os.close(fd)
