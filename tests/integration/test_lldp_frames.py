#!/usr/bin/env python3
"""Live capture of crafted frames sent through a packet socket in a peer
namespace: chassis ID subtypes lldpd cannot send (interface name, local,
network address), 802.1Q and QinQ tagged frames (the VLAN recorded; also
from the 802.1 Port VLAN ID TLV), capabilities, LLDP-MED inventory as vendor
evidence, the links from the capture interface, a malformed frame counted by
reason, a TTL-0 goodbye, a short TTL that runs out, and the per-interface
neighbour cap.  The kernel, veth and libpcap are real; only the sender is
this test."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lldphelp as lh  # noqa: E402
import vwtest  # noqa: E402
from lldphelp import eth, lldpdu, tlv  # noqa: E402
from vwtest import check, wait_for  # noqa: E402

vwtest.need_root()
vwtest.need_prog("ip", vwtest.VWD, vwtest.VWCTL)
if not os.path.exists(os.path.join(vwtest.PLUGIN_DIR, "lldp.so")):
    vwtest.skip("lldp plugin not built")

d = vwtest.tmpdir()
peer = vwtest.Netns("vwfp")
us = vwtest.Netns("vwfu")
va, vb = vwtest.veth(peer, us, mac_a="00:e0:fc:5a:02:01")

daemon = vwtest.Daemon("inventory = { age_interval_sec = 1; };\n"
                       + lh.lldp_config([vb], "max_neighbors_per_interface = 8;"), d=d, ns=us).start()
wait_for(lambda: (lh.iface_status(daemon, vb) or {}).get("state") == "capturing", timeout=10,
         what=f"capture on {vb}")


def src(n):
    """A source MAC per crafted neighbour: the frame's source MAC is a strong
    identifier (the sender's port), so neighbours sharing one would be one box.
    Locally administered: it carries no vendor evidence of its own."""
    return f"02:00:5e:5a:02:{n:02x}"


med = b"".join(tlv(127, bytes.fromhex("0012bb") + bytes([st]) + v)
               for st, v in ((8, b"2102351931P0"), (9, b"Huawei Technologies Co., Ltd"), (10, b"CE6850-48T4Q-EI")))
pvid = tlv(127, bytes.fromhex("0080c2") + b"\x01" + (300).to_bytes(2, "big"))     # 802.1 Port VLAN ID
caps = tlv(7, (0x0014).to_bytes(2, "big") + (0x0004).to_bytes(2, "big"))         # bridge+router / bridge
frames = [
    eth(src(1), lldpdu(b"\x06" + b"GE0/0/1-chassis", extra=tlv(5, b"by-ifname") + caps)),
    eth(src(2), lldpdu(b"\x07" + b"local-chassis-7", extra=tlv(5, b"by-local") + med)),
    eth(src(3), lldpdu(b"\x05\x01" + bytes([192, 0, 2, 77]), extra=tlv(5, b"by-netaddr"))),
    eth(src(4), lldpdu(b"\x07" + b"tagged-100"), tags=[(0x8100, 100)]),
    eth(src(5), lldpdu(b"\x07" + b"qinq-10-200"), tags=[(0x88A8, 10), (0x8100, 200)]),
    eth(src(6), lldpdu(b"\x07" + b"pvid-300", extra=pvid)),
    eth(src(7), tlv(1, b"\x07no-ttl") + tlv(2, b"\x05p1") + tlv(0, b"")),          # malformed: no TTL
]
lh.send_frames(peer, va, frames)


def by_id(dev_id):
    return wait_for(lambda: next((x for x in daemon.devices() if x.get("id") == dev_id), None),
                    timeout=15, what=f"device {dev_id}")


dev = by_id("chassis:ifname:GE0/0/1-chassis")
check(dev.get("chassis_subtype") == "ifname" and dev.get("chassis_id") == "GE0/0/1-chassis",
      "chassis subtype interface name")
check(dev.get("sys_name") == "by-ifname", f"system name ({dev.get('sys_name')})")
check(src(1) in (dev.get("macs") or []), f"the frame's source MAC is recorded ({dev.get('macs')})")
o = lh.observations(daemon, dev["id"])[-1]
check(o.get("capabilities") == ["bridge", "router"] and o.get("capabilities_enabled") == ["bridge"],
      f"capabilities system bridge,router enabled bridge ({o.get('capabilities')}, {o.get('capabilities_enabled')})")
check(o.get("port_id") == "p1" and o.get("ttl") == 120, "port ID and TTL")

dev = by_id("chassis:local:local-chassis-7")
check(dev.get("chassis_subtype") == "local", "chassis subtype local")
det = lh.device_detail(daemon, dev["id"])
obs = det.get("observations") or []
check(any(o.get("med_mfg") == "Huawei Technologies Co., Ltd" and o.get("med_model") == "CE6850-48T4Q-EI"
          and o.get("med_serial") == "2102351931P0" for o in obs), "LLDP-MED inventory")
check(dev.get("vendor") == "huawei", f"vendor from LLDP-MED manufacturer ({dev.get('vendor')})")
check(any(e.get("source") == "med_mfg" and e.get("vendor") == "huawei" for e in det.get("evidence") or []),
      "LLDP-MED manufacturer is the vendor evidence")

dev = by_id("addr:192.0.2.77")
check(dev.get("chassis_subtype") == "netaddr" and dev.get("chassis_id") == "192.0.2.77",
      "chassis subtype network address")
check("192.0.2.77" in (dev.get("addresses") or []), "network-address chassis is a management address")

for cid, vlan in (("tagged-100", 100), ("qinq-10-200", 200), ("pvid-300", 300)):
    dev = by_id(f"chassis:local:{cid}")
    obs = lh.observations(daemon, dev["id"])
    check(any(o.get("vlan") == vlan for o in obs), f"{cid}: VLAN {vlan} recorded")

topo = daemon.ctl("topology", "--format", "json")
links = [l for l in topo.get("links", []) if l.get("local") == f"capture:{vb}"]
check(len({l.get("remote") for l in links}) == 6 and all(l.get("local_port") == vb for l in links),
      f"six links from capture:{vb} ({len(links)})")

st = wait_for(lambda: (lambda s: s if s and s.get("malformed", 0) >= 1 else None)(lh.iface_status(daemon, vb)),
              timeout=10, what="the malformed frame to be counted")
check(st.get("malformed_by_reason", {}).get("missing-ttl") == 1, "malformed frame counted by reason")
check(lh.device(daemon, "no-ttl") is None, "malformed frame produced no device")
check(st.get("lldp") == 6, f"six good LLDP frames counted ({st.get('lldp')})")

# goodbye (TTL 0) from the local-chassis neighbour: absent at once, the others stay
lh.send_frames(peer, va, [eth(src(2), lldpdu(b"\x07" + b"local-chassis-7", ttl=0))])
wait_for(lambda: (lh.device(daemon, "local-chassis-7") or {}).get("state") == "absent", timeout=10,
         what="TTL 0 to mark the neighbour absent")
check(lh.iface_status(daemon, vb).get("shutdowns") == 1, "TTL 0 marks the neighbour absent (one shutdown counted)")
check(lh.device(daemon, "GE0/0/1-chassis").get("state") == "present", "the other neighbours stay present")

# a neighbour with a 2 s TTL that says nothing more goes absent after it
lh.send_frames(peer, va, [eth(src(8), lldpdu(b"\x07" + b"short-ttl", ttl=2))])
by_id("chassis:local:short-ttl")
wait_for(lambda: (lh.device(daemon, "short-ttl") or {}).get("state") == "absent", timeout=15,
         what="the short-TTL neighbour to age out")
check(lh.iface_status(daemon, vb).get("shutdowns") == 1, "short-TTL neighbour absent after its TTL (no shutdown)")

# neighbour cap: 8 per interface; 6 live so far (+1 gone, +1 expired).  Send 10 more distinct chassis.
lh.send_frames(peer, va, [eth(src(0x10 + i), lldpdu(b"\x07" + f"flood-{i}".encode())) for i in range(10)])
st = wait_for(lambda: (lambda s: s if s and s.get("neighbor_cap_refused", 0) > 0 else None)(lh.iface_status(daemon, vb)),
              timeout=10, what="the neighbour cap to refuse")
check(st.get("neighbors") <= 8, f"at most 8 neighbours kept ({st.get('neighbors')})")
check("neighbours, ignoring new ones" in daemon.log_text(), "cap warning logged")

check(daemon.stop() == 0, "daemon stops cleanly")
