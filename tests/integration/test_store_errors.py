#!/usr/bin/env python3
"""A corrupt or unusable store stops the daemon with an error naming the
file, and --check-config says the same; a healthy one passes."""
import os
import subprocess

import vwtest
from vwtest import check

d = vwtest.Daemon()
db = os.path.join(d.dir, "inventory.db")


def check_config():
    return subprocess.run([vwtest.VWD, "--check-config", "--config", d.conf], capture_output=True, text=True,
                          timeout=60)


r = check_config()
check(r.returncode == 0 and not os.path.exists(db), "--check-config passes and creates nothing")

d.start()
check(d.stop() == 0 and os.path.exists(db), "the daemon creates its store")
r = check_config()
check(r.returncode == 0, "--check-config accepts a healthy store")

with open(db, "r+b") as f:             # clobber the first table page
    f.seek(4096)
    f.write(b"\xff" * 64)
r = check_config()
check(r.returncode != 0 and db in r.stderr and "corrupt" in r.stderr,
      f"--check-config reports the corrupt store by name ({r.stderr.strip()})")
p = subprocess.run([vwtest.VWD, "-f", "--config", d.conf], capture_output=True, text=True, timeout=60)
check(p.returncode != 0 and db in p.stderr + p.stdout, "the daemon refuses to start on a corrupt store")
with open(db, "rb") as f:
    check(f.read(4096 + 64)[4096:] == b"\xff" * 64, "and leaves the file as it was")

with open(db, "wb") as f:
    f.write(b"not a database at all " * 300)
r = check_config()
check(r.returncode != 0 and db in r.stderr, "a file that is not a database is named too")

fresh = os.path.join(d.dir, "state", "sub", "inventory.db")
with open(d.conf) as f:
    body = f.read().replace(db, fresh)
with open(d.conf, "w") as f:
    f.write(body)
r = check_config()
check(r.returncode == 0 and not os.path.exists(os.path.dirname(fresh)), "a store in a folder yet to be made passes")
d.notify.messages.clear()
d.start()
check(d.stop() == 0 and os.path.exists(fresh), "the daemon makes the store's folder")

blocker = os.path.join(d.dir, "blocker")
open(blocker, "w").close()              # a file where a folder should be
unusable = os.path.join(blocker, "inventory.db")
with open(d.conf, "w") as f:
    f.write(body.replace(fresh, unusable))
r = check_config()
check(r.returncode != 0 and unusable in r.stderr, f"an unusable folder is reported ({r.stderr.strip()})")
p = subprocess.run([vwtest.VWD, "-f", "--config", d.conf], capture_output=True, text=True, timeout=60)
check(p.returncode != 0 and unusable in p.stderr + p.stdout, "and the daemon refuses to start")
