#!/usr/bin/env python3
"""Live capture against real lldpd peers in network namespaces.

A Huawei-addressed lldpd (00:e0:fc:…, VRP system description) on one veth,
a CDP-speaking lldpd on another, and a third that goes silent.  Asserts
through vendorwatchctl: the device with its chassis ID, port, system name,
management address, capabilities and vendor; the link from the capture
interface to the neighbour's port; CDP; that the interface survives being
deleted and re-created; that a shutdown LLDPDU marks the neighbour gone at
once and a silent one goes absent after its TTL.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lldphelp as lh  # noqa: E402
import vwtest  # noqa: E402
from vwtest import check, sh, wait_for  # noqa: E402

lh.need_lldpd()
d = vwtest.tmpdir()
peer = vwtest.Netns("vwlp")
us = vwtest.Netns("vwlu")

HUAWEI_MAC = "00:e0:fc:5a:01:01"
va, vb = vwtest.veth(peer, us, mac_a=HUAWEI_MAC)
peer.run("ip", "addr", "add", "192.0.2.1/24", "dev", va)
va_cdp, vb_cdp = vwtest.veth(peer, us, mac_a="00:1b:2b:5a:01:02")
va_quiet, vb_quiet = vwtest.veth(peer, us, mac_a="00:e0:fc:5a:01:03")

# TTL 30 s for the main peer: only a shutdown frame can make it absent quickly
huawei = lh.Lldpd(peer, va, d, args=("-m", "192.0.2.1"), hostname="ce6850-lab", tx_hold=30)
cdp = lh.Lldpd(peer, va_cdp, d, descr="Cisco IOS Software, C2960 Software", args=("-cc",),
               hostname="c2960-lab")
quiet = lh.Lldpd(peer, va_quiet, d, hostname="quiet-lab", tx_hold=3)

daemon = vwtest.Daemon(lh.lldp_config([vb, vb_cdp, vb_quiet], "silent_warning_sec = 600;"),
                       d=d, ns=us).start()

# --- the Huawei neighbour ---
dev = wait_for(lambda: lh.device(daemon, HUAWEI_MAC), timeout=30, what="the lldpd neighbour")
check(dev.get("chassis_subtype") == "mac", f"chassis subtype mac ({dev.get('chassis_subtype')})")
check(dev.get("sys_name") == "ce6850-lab", f"system name ({dev.get('sys_name')})")
check("Huawei Versatile Routing Platform" in (dev.get("sys_descr") or ""), "system description")
check("192.0.2.1" in (dev.get("addresses") or []), f"management address ({dev.get('addresses')})")
check("lldp" in (dev.get("sources") or []), "source lldp")
check(dev.get("state") == "present", "present")
check(dev.get("vendor") == "huawei", f"vendor huawei from OUI + description ({dev.get('vendor')})")

obs = lh.observations(daemon, dev["id"])
check(any(o.get("port_id") == va for o in obs), f"port ID is the peer's interface {va}")
check(any(o.get("via", {}).get("interface") == vb for o in obs), f"seen on capture interface {vb}")
check(any(o.get("caps_enabled") or o.get("caps_system") for o in obs), "capabilities reported")
check(any(o.get("ttl") == 30 for o in obs), "TTL from tx-hold 30 x tx-interval 1")

topo = daemon.ctl("topology")
links = topo.get("links", []) if isinstance(topo, dict) else []
check(any(l.get("remote") == dev["id"] and l.get("remote_port") == va and l.get("local_port") == vb
          for l in links), f"link {vb} <-> {va} recorded")

st = lh.iface_status(daemon, vb)
check(st is not None and st.get("state") == "capturing" and st.get("lldp", 0) > 0,
      f"status counts frames on {vb}")
check(st.get("malformed") == 0, "no malformed frames from lldpd")

# --- CDP ---
cdpdev = wait_for(lambda: next((x for x in daemon.devices() if "cdp" in (x.get("sources") or [])), None),
                  timeout=30, what="the CDP neighbour")
check(cdpdev.get("chassis_id") == "c2960-lab", f"CDP device ID ({cdpdev.get('chassis_id')})")
cobs = lh.observations(daemon, cdpdev["id"])
check(any(o.get("port_id") == va_cdp for o in cobs), "CDP port ID")
check(any(o.get("platform") for o in cobs), "CDP platform")
check(any("C2960" in (o.get("sw_version") or "") for o in cobs), "CDP software version")

# --- a silent neighbour goes absent after its TTL (3 s), no shutdown frame ---
q = wait_for(lambda: lh.device(daemon, "00:e0:fc:5a:01:03"), timeout=30, what="the quiet neighbour")
peer.run("ip", "link", "set", va_quiet, "down")     # lldpd cannot send anything now
wait_for(lambda: (lh.device(daemon, "00:e0:fc:5a:01:03") or {}).get("state") == "absent",
         timeout=20, what="the silent neighbour to turn absent after its TTL")
check(True, "silent neighbour absent after TTL")

# --- delete and re-create the capture interface ---
before = lh.iface_status(daemon, vb)
us.run("ip", "link", "del", vb)
wait_for(lambda: (lh.iface_status(daemon, vb) or {}).get("state") == "absent", timeout=10,
         what=f"{vb} absent")
sh("ip", "link", "add", va, "type", "veth", "peer", "name", vb)
sh("ip", "link", "set", va, "netns", peer.name)
sh("ip", "link", "set", vb, "netns", us.name)
peer.run("ip", "link", "set", va, "address", HUAWEI_MAC)
peer.run("ip", "addr", "add", "192.0.2.1/24", "dev", va)
peer.run("ip", "link", "set", va, "up")
us.run("ip", "link", "set", vb, "up")
after = wait_for(lambda: (lambda s: s if s and s.get("state") == "capturing"
                          and s.get("ifindex") != before.get("ifindex")
                          and s.get("lldp", 0) > before.get("lldp", 0) else None)(lh.iface_status(daemon, vb)),
                 timeout=30, what=f"capture on the re-created {vb}")
check(True, f"capture resumed on re-created {vb} (ifindex {before.get('ifindex')} -> {after.get('ifindex')})")
log = daemon.log_text()
check(log.count(f"{vb}: absent: removed") == 1, "removal logged once")

# --- shutdown frame: gone at once, long before the 30 s TTL ---
huawei.stop()
wait_for(lambda: (lh.device(daemon, HUAWEI_MAC) or {}).get("state") == "absent", timeout=10,
         what="the shutdown LLDPDU to mark the neighbour absent")
check(True, "shutdown frame marks the neighbour absent")

check(daemon.stop() == 0, "daemon stops cleanly")
