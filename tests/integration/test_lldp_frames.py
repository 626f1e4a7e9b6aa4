#!/usr/bin/env python3
"""Live capture of crafted frames sent through a packet socket in a peer
namespace: chassis ID subtypes lldpd cannot send (interface name, local,
network address), 802.1Q and QinQ tagged frames (the VLAN recorded),
LLDP-MED inventory, a malformed frame counted by reason, a TTL-0 goodbye,
and the per-interface neighbour cap.  The kernel, veth and libpcap are real;
only the sender is this test."""
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
SRC = "00:e0:fc:5a:02:01"
va, vb = vwtest.veth(peer, us, mac_a=SRC)
src = SRC.replace(":", "")

daemon = vwtest.Daemon(lh.lldp_config([vb], "max_neighbors_per_interface = 8;"), d=d, ns=us).start()
wait_for(lambda: (lh.iface_status(daemon, vb) or {}).get("state") == "capturing", timeout=10,
         what=f"capture on {vb}")

med = b"".join(tlv(127, bytes.fromhex("0012bb") + bytes([st]) + v)
               for st, v in ((8, b"2102351931P0"), (9, b"Huawei Technologies Co., Ltd"), (10, b"CE6850-48T4Q-EI")))
frames = [
    eth(src, lldpdu(b"\x06" + b"GE0/0/1-chassis", extra=tlv(5, b"by-ifname"))),
    eth(src, lldpdu(b"\x07" + b"local-chassis-7", extra=tlv(5, b"by-local") + med)),
    eth(src, lldpdu(b"\x05\x01" + bytes([192, 0, 2, 77]), extra=tlv(5, b"by-netaddr"))),
    eth(src, lldpdu(b"\x07" + b"tagged-100"), tags=[(0x8100, 100)]),
    eth(src, lldpdu(b"\x07" + b"qinq-10-200"), tags=[(0x88A8, 10), (0x8100, 200)]),
    eth(src, tlv(1, b"\x07no-ttl") + tlv(2, b"\x05p1") + tlv(0, b"")),          # malformed: no TTL
]
lh.send_frames(peer, va, frames)


def by_chassis(cid):
    return wait_for(lambda: lh.device(daemon, cid), timeout=15, what=f"device {cid}")


dev = by_chassis("GE0/0/1-chassis")
check(dev.get("chassis_subtype") == "ifname", "chassis subtype interface name")
dev = by_chassis("local-chassis-7")
check(dev.get("chassis_subtype") == "local", "chassis subtype local")
obs = lh.observations(daemon, dev["id"])
check(any(o.get("med_mfg") == "Huawei Technologies Co., Ltd" and o.get("med_model") == "CE6850-48T4Q-EI"
          and o.get("med_serial") == "2102351931P0" for o in obs), "LLDP-MED inventory")
check(dev.get("vendor") == "huawei", f"vendor from LLDP-MED manufacturer ({dev.get('vendor')})")
dev = by_chassis("192.0.2.77")
check(dev.get("chassis_subtype") == "netaddr", "chassis subtype network address")
check("192.0.2.77" in (dev.get("addresses") or []), "network-address chassis is a management address")

for cid, vlan in (("tagged-100", 100), ("qinq-10-200", 200)):
    dev = by_chassis(cid)
    obs = lh.observations(daemon, dev["id"])
    check(any(o.get("vlan") == vlan for o in obs), f"{cid}: VLAN {vlan} recorded")

st = wait_for(lambda: (lambda s: s if s and s.get("malformed", 0) >= 1 else None)(lh.iface_status(daemon, vb)),
              timeout=10, what="the malformed frame to be counted")
check(st.get("malformed_by_reason", {}).get("missing-ttl") == 1, "malformed frame counted by reason")
check(lh.device(daemon, "no-ttl") is None, "malformed frame produced no device")

# goodbye (TTL 0) from the local-chassis neighbour
lh.send_frames(peer, va, [eth(src, lldpdu(b"\x07" + b"local-chassis-7", ttl=0))])
wait_for(lambda: (lh.device(daemon, "local-chassis-7") or {}).get("state") == "absent", timeout=10,
         what="TTL 0 to mark the neighbour absent")
check(True, "TTL 0 marks the neighbour absent")

# neighbour cap: 8 per interface; 5 so far (+1 gone).  Send 10 more distinct chassis.
lh.send_frames(peer, va, [eth(src, lldpdu(b"\x07" + f"flood-{i}".encode())) for i in range(10)])
st = wait_for(lambda: (lambda s: s if s and s.get("neighbor_cap_refused", 0) > 0 else None)(lh.iface_status(daemon, vb)),
              timeout=10, what="the neighbour cap to refuse")
check(st.get("neighbors") <= 8, f"at most 8 neighbours kept ({st.get('neighbors')})")
check("neighbours, ignoring new ones" in daemon.log_text(), "cap warning logged")

check(daemon.stop() == 0, "daemon stops cleanly")
