#!/usr/bin/env python3
"""Prometheus textfile metrics: written atomically, devices by vendor and role,
plugin counters flattened, label values escaped."""
import json
import os
import re

import vwtest
from vwtest import check

d = vwtest.Daemon()
feed = os.path.join(d.dir, "feed.jsonl")
prom = os.path.join(d.dir, "vendorwatch.prom")
with open(feed, "w") as f:
    f.write(json.dumps({"chassis_id": "00:e0:fc:00:00:01", "chassis_subtype": "mac",
                        "sys_descr": "Huawei Versatile Routing Platform Software"}) + "\n")
    f.write(json.dumps({"chassis_id": "00:1b:54:00:00:02", "chassis_subtype": "mac",
                        "sys_descr": "Cisco IOS Software"}) + "\n")
    f.write("not json\n")
d.write_config(f'plugins = ( {{ name = "jsonl"; path = "{feed}"; }} );\n'
               f'metrics = {{ path = "{prom}"; interval_sec = 1; }};\n')
d.start()


def metrics():
    if not os.path.exists(prom):
        return None
    text = open(prom).read()
    return text if "vendorwatch_devices_total 2" in text else None


text = vwtest.wait_for(metrics, what="a metrics file with both devices")
check(re.search(r'^vendorwatch_devices\{vendor="huawei",role="unknown"\} 1$', text, re.M), "devices by vendor and role")
check(re.search(r'^vendorwatch_devices\{vendor="cisco",role="unknown"\} 1$', text, re.M), "a second vendor")
check("# TYPE vendorwatch_observations_total counter" in text, "types declared")
check(re.search(r'^vendorwatch_plugin_up\{plugin="jsonl"\} 1$', text, re.M), "plugin state")
check(re.search(r'^vendorwatch_plugin_jsonl_malformed\{plugin="jsonl"\} 1$', text, re.M), "plugin counters flattened")
check(not os.path.exists(prom + ".tmp"), "written atomically (no temp file left)")
bad = [l for l in text.splitlines() if l and not l.startswith("#")
       and not re.match(r'^[a-z_][a-z0-9_]*(\{[^}]*\})? [-0-9.e+]+$', l)]
check(not bad, f"every sample line is well-formed ({len(text.splitlines())} lines)")
check(d.stop() == 0, "clean stop")
