#!/usr/bin/env python3
"""End hosts from a switch's forwarding and ARP tables, read over SNMP.

    namespace C (camera)              namespace S (switch)
    44:19:b6:..:01 (Hikvision)        snmpd: system group, IF-MIB, IP-MIB (its own:
    10.N.2.50 ====== veth ========== access1   the real interfaces and ARP cache)
                                      + pass_persist (tests/integration/bridgeagent.py):
                                        BRIDGE-MIB / Q-BRIDGE-MIB / LLDP-MIB rows
                                      uplink1, trunk2, hub3 (veths); lo 10.N.1.1
                                      vendorwatchd (snmp plugin, seed 10.N.1.1)

The forwarding table holds the camera and a PC on access1 (VLAN 30), 20 MACs
on uplink1 (an LLDP neighbour, numbered by ifIndex), 3 on trunk2 (an LLDP
neighbour numbered 802.1AB-style by bridge port, named by lldpLocPortId) and
10 on hub3 (no neighbour, more than max_macs_per_access_port).  The camera's
address comes from snmpd's real ipNetToPhysicalTable after a real ARP
exchange.  Only the access-port hosts are attributed; the camera inherits
the switch's core segment and raises an alert naming switch, port and VLAN.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bridgeagent as ba  # noqa: E402
import snmppeers as sp  # noqa: E402
import vwtest  # noqa: E402
from vwtest import check  # noqa: E402

vwtest.need_root()
vwtest.need_prog("snmpd", "snmpwalk", vwtest.VWD)
if not os.path.exists(os.path.join(vwtest.PLUGIN_DIR, "snmp.so")):
    vwtest.skip("the snmp plugin is not built")

d = vwtest.tmpdir()
net = 10 + os.getpid() % 200            # 10.<net>.0.0/16 inside this test's namespaces only
MGMT, SW_LAN, CAM_IP = f"10.{net}.1.1", f"10.{net}.2.1", f"10.{net}.2.50"
CAM_MAC = "44:19:b6:00:30:01"           # 4419B6: Hangzhou Hikvision
PC_MAC = "00:14:22:00:30:02"            # 001422: Dell
SW_MAC = "00:1b:54:aa:bb:01"            # 001B54: Cisco (the switch's LLDP chassis ID)
VLAN = 30


def mac_id(m):
    return "mac:" + m.replace(":", "")


S = vwtest.Netns("vwfs")
C = vwtest.Netns("vwfc")
s_if, c_if = vwtest.veth(S, C, None, CAM_MAC)
S.run("ip", "link", "set", s_if, "down")
S.run("ip", "link", "set", s_if, "name", "access1")
S.run("ip", "link", "set", "access1", "up")
S.run("ip", "addr", "add", f"{SW_LAN}/24", "dev", "access1")
C.run("ip", "addr", "add", f"{CAM_IP}/24", "dev", c_if)
for name in ("uplink1", "trunk2", "hub3"):         # (veth pairs inside S: no dummy module needed)
    S.run("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p")
    S.run("ip", "link", "set", name, "up")
S.run("ip", "addr", "add", f"{MGMT}/32", "dev", "lo")
ifindex = {n: int(S.run("cat", f"/sys/class/net/{n}/ifindex").stdout) for n in ("access1", "uplink1", "trunk2", "hub3")}

# a real ARP exchange fills S's neighbour table (snmpd's ipNetToPhysicalTable);
# pinned so that it cannot age out while the daemon polls
# (a UDP datagram to the camera makes S's kernel ask; C's kernel answers)
S.run(sys.executable, "-c", "import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
      f".sendto(b'x', ('{CAM_IP}', 9))")
vwtest.wait_for(lambda: CAM_MAC in S.run("ip", "neigh", "show", CAM_IP, "dev", "access1").stdout, 10,
                "the camera's ARP reply")
S.run("ip", "neigh", "replace", CAM_IP, "lladdr", CAM_MAC, "dev", "access1", "nud", "permanent")

# the bridge tables: bridge ports 1-4
rows = ba.Rows()
rows.chassis(SW_MAC)
for port, name in enumerate(("access1", "uplink1", "trunk2", "hub3"), 1):
    rows.base_port(port, ifindex[name])
rows.vlan(1, 1)
rows.vlan(VLAN, VLAN)
rows.fdb(VLAN, CAM_MAC, 1)
rows.fdb(VLAN, PC_MAC, 1)
rows.fdb(1, SW_MAC, 0, status=ba.SELF)
uplink_macs = [f"02:00:01:00:00:{i:02x}" for i in range(20)]
trunk_macs = [f"02:00:02:00:00:{i:02x}" for i in range(3)]
hub_macs = [f"02:00:03:00:00:{i:02x}" for i in range(10)]
for port, macs in ((2, uplink_macs), (3, trunk_macs), (4, hub_macs)):
    for m in macs:
        rows.fdb(1, m, port)
rows.lldp_neighbour(ifindex["uplink1"], 1, "00:1b:54:cc:00:01", "Gi1/0/48", "dist-1")
rows.lldp_neighbour(3, 2, "00:1b:54:cc:00:02", "Gi1/0/47", "dist-2", local_port_name="trunk2")
data = os.path.join(d, "bridge.json")
rows.write(data)
script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bridgeagent.py")
sp.start_snmpd(S, d, "sw", [f"udp:{MGMT}:161"], "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), "
               "Version 15.2(7)E4", "1.3.6.1.4.1.9.1.1208", "sw-edge-3", extra=ba.snmpd_lines(script, data))
env = dict(os.environ, SNMP_PERSISTENT_DIR=d)
vwtest.wait_for(lambda: "44 19 B6 00 30 01" in S.run("snmpwalk", "-v2c", "-c", "public", "-On", MGMT,
                                                   "1.3.6.1.2.1.4.35.1.4", check=False, env=env).stdout,
                20, "the camera in snmpd's ipNetToPhysicalTable")

conf = f'''
plugins = ( {{ name = "snmp"; timeout_ms = 2000; retries = 1; interval_sec = 3600; persistent_dir = "{d}/vw-snmp";
               max_macs_per_access_port = 8;
               groups = ( {{ name = "access"; version = "2c"; community = "public"; seeds = [ "{MGMT}" ]; }} ); }} );
segments = ( {{ name = "core"; role = "core"; prefixes = [ "10.{net}.1.0/24" ]; }} );
# (a MAC alone scores 0.45: OUI evidence is all a forwarding table gives)
policy = {{ unknown_as = "edge";
  restricted = ( {{ vendor = "hikvision"; roles = [ "core" ]; severity = "crit"; min_confidence = 0.4; }} ); }};
alerts = {{ transport = "syslog"; }};
'''
daemon = vwtest.Daemon(conf, ns=S).start()
ctl = sp.Ctl(daemon.sock)



st = vwtest.wait_for(ctl.cycles_done, 40, "the first discovery cycle")
vwtest.log(json.dumps(st, indent=1))
devs = ctl.devices()
vwtest.log(json.dumps(devs, indent=1))
by_mac = {}
for x in devs:
    for m in x.get("macs") or []:
        by_mac.setdefault(m, x)

sw_id = mac_id(SW_MAC)
check(any(x["id"] == sw_id and x.get("kind") == "network" for x in devs), f"the switch is a network device ({sw_id})")

cam = by_mac.get(CAM_MAC)
check(cam is not None, "the camera learned on the access port is in the inventory")
check(cam["kind"] == "host", f"the camera is kind host ({cam['kind']})")
check(cam["vendor"] == "hikvision", f"its vendor is Hikvision by OUI ({cam['vendor']})")
check(CAM_IP in (cam.get("addresses") or []), f"its address comes from the switch's ARP table ({cam.get('addresses')})")
check("snmp-fdb" in cam["sources"], f"it was learned from the forwarding table ({cam['sources']})")
detail = ctl.request({"command": "device", "id": cam["id"]})["device"]
fdb_obs = next(o for o in detail["observations"] if o["source"] == "snmp-fdb")
via = fdb_obs.get("via") or {}
check(via.get("device") == sw_id and via.get("port") == "access1" and via.get("agent") == MGMT,
      f"it hangs off the switch's access1 ({via})")
check(fdb_obs.get("vlan") == VLAN, f"in VLAN {VLAN} (from dot1qVlanFdbId) ({fdb_obs.get('vlan')})")

pc = by_mac.get(PC_MAC)
check(pc is not None and pc["kind"] == "host" and pc["vendor"] == "dell", "the PC on the same access port too")

stray = [m for m in uplink_macs + trunk_macs + hub_macs if m in by_mac]
check(not stray, f"no MAC learned on an uplink, trunk or hub port is attributed ({stray[:3]})")
check(st.get("fdb_hosts") == 2, f"two forwarding entries attributed ({st.get('fdb_hosts')})")
check(st.get("uplink_macs") == 33 and st.get("uplink_ports") == 3,
      f"33 MACs on 3 uplink ports counted, not attributed ({st.get('uplink_macs')}, {st.get('uplink_ports')})")
check(st.get("host_entries_skipped") == 1, f"the switch's own (self) entry skipped ({st.get('host_entries_skipped')})")
check(SW_MAC not in by_mac or by_mac[SW_MAC]["id"] == sw_id, "the switch's own MAC is no host")
check(not st.get("errors", {}).get("too_many_rows"), "no table hit its cap")

# the camera's address is in no segment: it inherits the switch's (core)
check(cam["segment"] == "core" and "attached switch" in (cam.get("role_rule") or ""),
      f"the camera takes the switch's core segment ({cam['segment']}: {cam.get('role_rule')})")
alerts = vwtest.wait_for(lambda: [a for a in (daemon.ctl("alerts", "--all") or []) if isinstance(a, dict)
                                  and a.get("device") == cam["id"] and a.get("state") == "raised"],
                         10, "the Hikvision camera's alert")
check(alerts[0].get("attached") == f"{sw_id}:access1 vlan {VLAN}",
      f"the alert names switch, port and VLAN ({alerts[0].get('attached')})")
raised = [a for a in (daemon.ctl("alerts", "--all") or []) if isinstance(a, dict) and a.get("state") == "raised"]
check(len(raised) == 1, f"one alert only ({[a.get('device') for a in raised]})")

# hosts are not crawled: the only target is the seed
check(st.get("targets") == 1 and st.get("crawl_added") == 0, "end hosts' addresses are not crawled")

# The forwarding table grows between two polls: the next poll's first request
# is sized by the rows this one saw, so the walk must go on past it to find
# the new hosts (and the table's end).
new_macs = [f"3c:ef:8c:00:31:{i:02x}" for i in range(6)]         # Dahua block
for m in new_macs:
    rows.fdb(VLAN, m, 1)
rows.write(data)
r = ctl.request({"command": "rescan", "target": MGMT})
check(r.get("ok") is True, f"rescan of the switch accepted ({r})")
st2 = vwtest.wait_for(lambda: ctl.cycles_done(2), 40, "the second poll")
found = {m for x in ctl.devices() for m in (x.get("macs") or [])}
check(set(new_macs) <= found, f"every host the table gained is in the inventory ({len(set(new_macs) & found)} of 6)")
grown = st2.get("fdb_hosts", 0) - st.get("fdb_hosts", 0)            # a running count
check(grown == 2 + len(new_macs), f"the second poll read all {2 + len(new_macs)} access-port entries ({grown})")
check(st2.get("polls_failed", 0) == st.get("polls_failed", 0), "the grown table cost no failed poll")
vwtest.log("ok")
