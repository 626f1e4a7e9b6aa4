#!/usr/bin/env python3
"""Foundation: the daemon starts (READY=1), imports observations through the
jsonl plugin from a FIFO, merges them by strong identifiers only, refuses a
broken config on SIGHUP with file:line and keeps the old one, serves status
while a client stalls mid-line, answers bad requests with errors, and exits 0
on SIGTERM."""
import json
import os
import signal
import socket

import vwtest
from vwtest import check

d = vwtest.Daemon()
feed = os.path.join(d.dir, "feed")
os.mkfifo(feed)
body = f'plugins = ( {{ name = "jsonl"; path = "{feed}"; }} );\nlog = {{ level = "debug"; }};\n'
d.write_config(body)
d.start()

# A writer that stays open, as an exporter would.
fifo = open(feed, "w", buffering=1)


def send(*objs):
    for o in objs:
        fifo.write((o if isinstance(o, str) else json.dumps(o)) + "\n")
    fifo.flush()


huawei = {"chassis_id": "00:e0:fc:12:34:56", "chassis_subtype": "mac", "sys_name": "core-1",
          "sys_descr": "Huawei Versatile Routing Platform Software, VRP (R) software, Version 8.180",
          "addresses": ["10.20.0.1"], "via": {"interface": "eth9"}, "port_id": "10GE1/0/1"}
# The same box seen over SNMP by an interface MAC, written Cisco-style.
huawei_snmp = {"source": "snmp", "macs": ["00e0.fc12.3456", "00e0.fc12.3457"],
               "sys_object_id": "1.3.6.1.4.1.2011.2.239.12", "entity_serial": "2102351931P0",
               "entity_mfg": ["Huawei"]}
# A Cisco that shares only weak identifiers with the Huawei: a VRRP MAC, a
# locally administered MAC, a factory-default address and the same sysName.
cisco = {"chassis_id": "00:1b:54:aa:bb:cc", "chassis_subtype": "mac", "sys_name": "core-1",
         "sys_descr": "Cisco IOS Software, C3750E Software", "macs": ["00:00:5e:00:01:0a", "02:00:00:00:00:01"],
         "addresses": ["192.168.1.1"]}
send(huawei, "{this is not json", huawei_snmp, cisco, {"macs": ["zz:zz"]})

devs = vwtest.wait_for(lambda: (lambda l: l if len(l) == 2 and any(
    len(x["sources"]) == 2 for x in l) else None)(d.devices()), what="two merged devices")
by_id = {x["id"]: x for x in devs}
check(set(by_id) == {"mac:00e0fc123456", "mac:001b54aabbcc"}, "two devices, keyed by chassis MAC")
hw = by_id["mac:00e0fc123456"]
check(sorted(hw["sources"]) == ["jsonl", "snmp"], "LLDP-style and SNMP sightings merged into one device")
check("00:e0:fc:12:34:57" in hw["macs"] and "10.20.0.1" in hw["addresses"], "identifiers of both sightings kept")
check(hw["sys_object_id"] == "1.3.6.1.4.1.2011.2.239.12" and hw["sys_name"] == "core-1", "attributes merged")
check(hw["first_seen"].endswith("Z") and "T" in hw["first_seen"], "RFC 3339 times")
check(hw["vendor"] == "huawei", "vendor verdict filled in")
check(by_id["mac:001b54aabbcc"]["vendor"] == "cisco", "weak identifiers did not fold the Cisco into the Huawei")

log = d.log_text()
check("feed:2:" in log and "malformed JSON" in log, "malformed line logged with its line number")
check("feed:5:" in log and "not a MAC address" in log, "bad MAC reported with its line number")
st = d.ctl("status")
jsonl = [p for p in st["plugins"] if p["name"] == "jsonl"][0]
check(jsonl["state"] == "running" and jsonl["status"]["malformed"] == 2, "malformed lines counted in status")

det = d.ctl("device", "mac:00e0fc123456")
dev = det.get("device", det)
check(any(e.get("vendor") == "huawei" for e in dev.get("evidence", [])), "device ID shows the vendor evidence")
topo = d.ctl("topology", "--format", "json")
check(any(l["local"] == "capture:eth9" and l["remote"] == "mac:00e0fc123456" for l in topo["links"]),
      "link from the capture interface to the neighbour recorded")

# A stalled client (half a line, never finished) must not block others.
stalled = socket.socket(socket.AF_UNIX)
stalled.connect(d.sock)
stalled.send(b'{"command": "sta')
check(d.ctl("status")["devices"] == 2, "status answers while another client stalls mid-line")


def raw(payload):
    s = socket.socket(socket.AF_UNIX)
    s.connect(d.sock)
    s.sendall(payload)
    f = s.makefile("rb")
    line = f.readline()
    s.close()
    return json.loads(line)


r = raw(b'{"command": "frobnicate"}\n')
check(r["ok"] is False and "unknown command" in r["error"] and r["version"] == 1, "unknown command: error reply")
r = raw(b'{"command": \n')
check(r["ok"] is False and "malformed" in r["error"], "malformed JSON: error reply")
r = raw(b'{"command": "status", "version": 7}\n')
check(r["ok"] is False and "bad version" in r["error"], "wrong protocol version: clear error")
r = raw(b'x' * (70 * 1024))
check(r["ok"] is False and "too large" in r["error"], "request over 64 KiB refused")

# SIGHUP with a broken config: refused with file:line, the old one stays.
with open(d.conf) as f:
    good = f.read()
with open(d.conf, "a") as f:
    f.write("control = { idle_timeout_sec = 0; };\n")
lines = good.count("\n") + 1
d.send_signal(signal.SIGHUP)
d.notify.wait("RELOADING=1")
d.notify.wait("READY=1")
vwtest.wait_for(lambda: "Reload refused" in d.log_text(), what="the reload refusal in the log")
check(f"vendorwatch.conf:{lines}:" in d.log_text(), "the refusal names file:line")
check(d.ctl("status")["counters"]["reload_failures"] == 1, "reload failure counted")
send({"chassis_id": "00:e0:fc:00:00:99", "chassis_subtype": "mac", "sys_name": "after-bad-reload"})
vwtest.wait_for(lambda: len(d.devices()) == 3, what="the old config still serving the feed")
check(len(d.devices()) == 3, "inventory kept and feed still read after the refused reload")

# Registries missing at reload: refused, the file named, the old data kept.
with open(d.conf, "w") as f:
    f.write(good + 'vendors = { oui_dir = "/nonexistent/ieee-data"; };\n')
d.send_signal(signal.SIGHUP)
d.notify.wait("RELOADING=1")
d.notify.wait("READY=1")
vwtest.wait_for(lambda: d.ctl("status")["counters"]["reload_failures"] == 2, what="the second refusal")
check("/nonexistent/ieee-data" in d.log_text(), "a missing registry at reload is refused, naming the file")
check(d.ctl("identify", "--mac", "00:e0:fc:01:02:03")["verdict"]["vendor"] == "huawei",
      "the registries in force still identify")

# A good reload re-evaluates and keeps the inventory.
with open(d.conf, "w") as f:
    f.write(good)
d.send_signal(signal.SIGHUP)
d.notify.wait("RELOADING=1")
d.notify.wait("READY=1")
check(d.ctl("status")["counters"]["reloads"] == 1, "a good config reloads")
check(len(d.devices()) == 3, "inventory survives a reload")

# forget is admin-only: as root it works.
check(d.ctl("forget", "mac:00e0fc000099")["forgotten"] == "mac:00e0fc000099", "forget removes a device")

stalled.close()
fifo.close()
rc = d.stop()
check(rc == 0, "SIGTERM: clean exit 0")
d.notify.wait("STOPPING=1")
check(not os.path.exists(d.sock), "socket removed on exit")
