#!/usr/bin/env python3
"""A one-off file import is not a source that went blind: once the jsonl
plugin reports the end of its file, its silence raises no source-lost alert,
while its violation is raised once and stays open."""
import json
import os
import time

import vwtest
from vwtest import check

d = vwtest.Daemon()
feed = os.path.join(d.dir, "import.jsonl")
with open(feed, "w") as f:
    f.write(json.dumps({"chassis_id": "00:e0:fc:00:00:07", "chassis_subtype": "mac", "sys_name": "hw-7",
                        "sys_descr": "Huawei Versatile Routing Platform Software", "addresses": ["10.0.0.7"]}) + "\n")
d.write_config(f'''
plugins = ( {{ name = "jsonl"; path = "{feed}"; }} );
segments = ( {{ name = "core"; role = "core"; prefixes = [ "10.0.0.0/24" ]; }} );
policy = {{ restricted = ( {{ vendor = "huawei"; roles = [ "core" ]; min_confidence = 0.3; }} ); }};
alerts = {{ transport = "syslog"; source_timeout_sec = 1; }};
''')
d.start()


def sources():
    return d.ctl("status")["audit"]["sources"]


src = vwtest.wait_for(lambda: [s for s in sources() if s["source"] == "jsonl" and s["finished"]],
                      what="the import to finish")
check(True, "the end of the file is recorded for its source")
# The audit ticks once a second: let three timeouts pass (asserting an absence needs time to pass).
deadline = time.monotonic() + 3.5
while time.monotonic() < deadline:
    s = [x for x in sources() if x["source"] == "jsonl"][0]
    if s["lost"]:
        break
    time.sleep(0.25)
check(not s["lost"], "a finished import is not reported lost")
alerts = d.ctl("alerts", "--all")
alerts = alerts if isinstance(alerts, list) else [alerts]
check(not any(a.get("kind") == "source-lost" for a in alerts if isinstance(a, dict)), "no source-lost alert")
check(any(a.get("device") == "mac:00e0fc000007" and a.get("state") == "raised" for a in alerts if isinstance(a, dict)),
      "the imported violation is open")
check(d.stop() == 0, "clean stop")
