#!/usr/bin/env python3
"""Write the seed corpora of fuzz-lldp, fuzz-cdp, fuzz-hosts and fuzz-pcap-block.

Frames are built here from the protocol definitions (IEEE 802.1AB-2016, CDP
v1/v2), covering each TLV kind, the VLAN front end and a few broken shapes.
End-host frames (ARP, ND, DHCP, DHCPv6) come from the builders in
tests/integration/hostframes.py.
Capture files for fuzz-pcap-block hold some of the LLDP seeds as records.
Run from anywhere; it rewrites tests/fuzz/corpus/{lldp,cdp,hosts,pcap-block}/
next to itself:

    python3 tests/fuzz/make-seeds.py
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LLDP_DST = bytes.fromhex("0180c200000e")
CDP_DST = bytes.fromhex("01000ccccccc")
SRC = bytes.fromhex("00e0fc123457")


def tlv(t, value):
    return struct.pack("!H", t << 9 | len(value)) + value


def org(oui, sub, value):
    return tlv(127, bytes.fromhex(oui) + bytes([sub]) + value)


def mandatory(chassis=(4, bytes.fromhex("00e0fc123456")), port=(5, b"GE0/0/1"), ttl=120):
    return (tlv(1, bytes([chassis[0]]) + chassis[1]) + tlv(2, bytes([port[0]]) + port[1])
            + tlv(3, struct.pack("!H", ttl)))


def mgmt_v4(a, ifnum=3):
    return tlv(8, bytes([5, 1]) + bytes(a) + bytes([2]) + struct.pack("!I", ifnum) + b"\x00")


def mgmt_v6(a):
    return tlv(8, bytes([17, 2]) + a + bytes([1]) + struct.pack("!I", 0) + b"\x00")


def eth(payload, tags=(), ethertype=0x88CC, dst=LLDP_DST):
    h = dst + SRC
    for tpid, vid in tags:
        h += struct.pack("!HH", tpid, vid)
    return h + struct.pack("!H", ethertype) + payload


def lldp_seeds():
    huawei = (mandatory()
              + tlv(4, b"10GE1/0/1") + tlv(5, b"CE6850-core-1")
              + tlv(6, b"Huawei Versatile Routing Platform Software, VRP (R) software, Version 8.180")
              + tlv(7, struct.pack("!HH", 0x14, 0x14))
              + mgmt_v4([10, 0, 0, 1]) + mgmt_v6(bytes.fromhex("20010db8000000000000000000000001"))
              + org("0080c2", 1, struct.pack("!H", 100))
              + org("0080c2", 3, struct.pack("!HB", 100, 4) + b"mgmt")
              + org("0080c2", 7, b"\x03\x00\x00\x00\x07")
              + org("00120f", 1, b"\x03\x6c\x00\x00\x1e")
              + org("00120f", 2, b"\x07\x01\x00")
              + org("00120f", 4, struct.pack("!H", 9216))
              + org("0012bb", 1, b"\x00\x33\x04")
              + org("0012bb", 5, b"V200R005") + org("0012bb", 6, b"BIOS 1.0")
              + org("0012bb", 7, b"V200R005C10SPC800") + org("0012bb", 8, b"2102351931P0")
              + org("0012bb", 9, b"Huawei Technologies Co., Ltd") + org("0012bb", 10, b"CE6850-48T4Q-EI")
              + tlv(0, b""))
    seeds = {"huawei-full": eth(huawei)}
    for st, val in ((1, b"chassis-1"), (2, b"alias"), (3, b"slot0"), (5, b"\x01\xc0\x00\x02\x07"),
                    (5, b"\x02" + bytes(16)), (6, b"eth0"), (7, b"local-id")):
        seeds[f"chassis-subtype-{st}-{len(val)}"] = eth(mandatory(chassis=(st, val)) + tlv(0, b""))
    for st, val in ((1, b"up1"), (2, b"p0"), (3, bytes.fromhex("00e0fc000001")), (4, b"\x01\x0a\x01\x02\x03"),
                    (6, b"circuit"), (7, b"17")):
        seeds[f"port-subtype-{st}"] = eth(mandatory(port=(st, val)) + tlv(0, b""))
    seeds["shutdown"] = eth(mandatory(ttl=0) + tlv(0, b""))
    seeds["vlan-tagged"] = eth(mandatory() + tlv(0, b""), tags=[(0x8100, 100)])
    seeds["qinq"] = eth(mandatory() + tlv(0, b""), tags=[(0x88A8, 10), (0x8100, 200)])
    seeds["three-tags"] = eth(mandatory() + tlv(0, b""), tags=[(0x88A8, 10), (0x8100, 11), (0x8100, 12)])
    seeds["truncated-tlv"] = eth(mandatory() + struct.pack("!H", 5 << 9 | 100) + b"abc")
    seeds["missing-ttl"] = eth(tlv(1, b"\x04" + SRC) + tlv(2, b"\x05eth0") + tlv(0, b""))
    seeds["only-org"] = eth(org("0080c2", 7, b"\x01\x00\x00\x00\x00") + tlv(0, b""))
    seeds["zero-length"] = eth(mandatory() + tlv(4, b"") + tlv(5, b"") + tlv(9, b"") * 200 + tlv(0, b""))
    seeds["escapes"] = eth(mandatory(chassis=(7, b"a\x01\\\xff\x00")) + tlv(5, "Sé€".encode() + b"\x00Z")
                           + tlv(6, b"a\nb\xc3\x28\x7f") + tlv(0, b""))
    seeds["long-descr"] = eth(mandatory() + tlv(6, b"\x01" * 511) + tlv(0, b""))
    seeds["bad-optional"] = eth(mandatory() + tlv(7, b"\x00\x14\x00") + tlv(8, b"\x09\x01\x0a\x00\x00")
                                + org("0080c2", 1, b"\x64") + tlv(127, b"\x00\x12") + tlv(0, b""))
    return seeds


def cdp_pdu(tlvs, version=2, ttl=180):
    body = b"".join(struct.pack("!HH", t, len(v) + 4) + v for t, v in tlvs)
    return struct.pack("!BBH", version, ttl, 0) + body


def cdp_addr_v4(*addrs):
    return struct.pack("!I", len(addrs)) + b"".join(b"\x01\x01\xcc" + struct.pack("!H", 4) + bytes(a) for a in addrs)


def cdp_seeds():
    v6 = (struct.pack("!I", 1) + b"\x02\x08" + bytes.fromhex("aaaa0300000086dd") + struct.pack("!H", 16)
          + bytes.fromhex("20010db800000000000000000000000a"))
    full = cdp_pdu([
        (1, b"SW-A"), (2, cdp_addr_v4([192, 0, 2, 10])), (3, b"GigabitEthernet0/1"),
        (4, struct.pack("!I", 0x29)), (5, b"Cisco IOS Software, C3560 Software, Version 12.2(44)SE"),
        (6, b"cisco WS-C3560G-24PS"), (9, b"lab"), (10, struct.pack("!H", 20)), (11, b"\x01"),
        (0x14, b"sw-a"), (0x16, cdp_addr_v4([10, 9, 8, 7])), (0x99, b"\x00"),
    ])
    # fuzz-cdp takes the bytes after the SNAP header
    return {
        "full": full,
        "v1": cdp_pdu([(1, b"R1"), (2, cdp_addr_v4([192, 168, 10, 1])), (3, b"Ethernet0")], version=1),
        "ipv6": cdp_pdu([(1, b"R6"), (2, v6)]),
        "bad-version": cdp_pdu([(1, b"R1")], version=3),
        "zero-length-tlv": cdp_pdu([(1, b"R1")]) + b"\x00\x05\x00\x00",
        "no-device-id": cdp_pdu([(6, b"xyz")]),
        "addr-count-lies": cdp_pdu([(1, b"R1"), (2, struct.pack("!I", 5) + b"\x01\x01\xcc\x00\x04\x0a\x00\x00\x01")]),
        "truncated": cdp_pdu([(1, b"R1")]) + b"\x00\x01\x00\x20R",
        "header-only": b"\x02\xb4",
    }


def hosts_seeds():
    sys.path.insert(0, os.path.join(HERE, "..", "integration"))
    import hostframes as hf
    hik, dah = "44:47:cc:01:02:03", "08:ed:ed:12:34:56"
    q = [(0x8100, 100)]
    qinq = [(0x88A8, 10), (0x8100, 200)]
    req = hf.dhcp_request(dah, "10.77.0.33", "cam-dh1", "dahua")
    ack = hf.bootp(2, dah, [(53, b"\x05"), (54, bytes([10, 77, 0, 1]))], yiaddr="10.77.0.33")
    solicit = hf.dhcp6(1, [(1, hf.duid_ll(hik)), (16, hf.dhcp6_vendor_class(39997, b"hikvision")),
                           (39, b"\x00\x05cam-1")])
    ia = struct.pack("!III", 1, 3600, 5400) + struct.pack("!HH", 5, 24) + bytes.fromhex(
        "20010db8000000000000000000001001") + struct.pack("!II", 7200, 10800)
    reply = hf.dhcp6(7, [(1, struct.pack("!HHI", 1, 1, 42) + hf.mac_bytes(dah)), (3, ia)])
    seeds = {
        "arp-request": hf.arp_frame(hik, "10.77.0.21", "10.77.0.1"),
        "arp-reply-q": hf.arp_frame(dah, "192.0.2.7", "10.77.0.21", op=2, tags=q),
        "arp-announce": hf.arp_frame(dah, "10.1.2.3", "10.1.2.3"),
        "arp-probe-qinq": hf.arp_frame(dah, "0.0.0.0", "10.1.2.4", tags=qinq),
        "nd-ns": hf.nd_frame(hik, "2001:db8::21", 135, "2001:db8::1", lladdr=hik),
        "nd-na-q": hf.nd_frame(dah, "fe80::1", 136, "2001:db8::7", lladdr=dah, tags=q),
        "nd-dad": hf.nd_frame(hik, "::", 135, "2001:db8::99"),
        "dhcp-request": hf.dhcp_frame(dah, req),
        "dhcp-request-q": hf.dhcp_frame(dah, req, tags=q),
        "dhcp-ack": hf.dhcp_frame(dah, ack, client=False, src_mac="00:00:5e:00:53:01"),
        "dhcp-truncated-option": hf.dhcp_frame(dah, req[:-8]),
        "dhcp6-solicit": hf.dhcp6_frame(hik, solicit),
        "dhcp6-reply-qinq": hf.dhcp6_frame("00:00:5e:00:53:01", reply, tags=qinq),
        # bare payloads: the target also wraps its input in IPv4/UDP and IPv6/UDP
        "payload-bootp": req,
        "payload-dhcp6": solicit,
        "payload-overlong-option": req[:240] + b"\x0c\xff" + b"x" * 10,
        "payload-nd": hf.nd(136, "2001:db8::7", dah)[:-1],
    }
    return seeds


def pcap_block_seeds(frames):
    """fuzz-pcap-block: a selector byte (bit 0 big-endian, bit 1 nanoseconds,
    bits 2-4 the snapshot length: 64, 128, 1514, 65535, 262144, 0; bit 6 a
    large block; bit 7 the rest is the whole file), then records."""
    def records(end, recs):
        out = b""
        for sec, frac, caplen, length, data in recs:
            out += struct.pack(end + "IIII", sec, frac, caplen, length) + data
        return out
    plain = [(1700000000 + i, i * 1000, len(f), len(f), f) for i, f in enumerate(frames)]
    seeds = {
        "le-usec": bytes([0 | 3 << 2]) + records("<", plain),
        "be-usec": bytes([1 | 3 << 2]) + records(">", plain),
        "le-nsec": bytes([2 | 3 << 2]) + records("<", plain),
        "be-nsec-bigblock": bytes([3 | 3 << 2 | 0x40]) + records(">", plain),
        "over-snaplen": bytes([0 | 0 << 2]) + records("<", plain),
        "caplen-over-len": bytes([1 | 2 << 2]) + records(">", [(1, 2, 40, 30, bytes(40))] + plain[:3]),
        "top-bit": bytes([0 | 3 << 2]) + records("<", [(0x80000001, 0xfffffc18, 20, 20, bytes(20))] + plain[:2]),
        "top-bit-be": bytes([1 | 3 << 2]) + records(">", [(0xffffffff, 0x80000000, 20, 20, bytes(20))] + plain[:2]),
        "cut-record": bytes([0 | 3 << 2]) + records("<", plain[:4])[:-7],
        "cut-header": bytes([1 | 3 << 2]) + records(">", plain[:2]) + bytes(9),
        "insane-caplen": bytes([0 | 3 << 2]) + records("<", plain[:2]) + struct.pack("<IIII", 1, 2, 300000, 300000),
        "whole-v23": bytes([0x80]) + struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 3, 0, 0, 65535, 1) + records("<", plain[:3]),
        "whole-le": bytes([0x80]) + struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 0, 1) + records("<", plain[:3]),
    }
    return seeds


def write(folder, seeds):
    d = os.path.join(HERE, "corpus", folder)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print(f"{d}: {len(seeds)} seeds")


if __name__ == "__main__":
    lldp = lldp_seeds()
    # fuzz-lldp takes whole frames: add CDP frames so its front end sees them too
    for name, pdu in cdp_seeds().items():
        payload = bytes.fromhex("aaaa0300000c2000") + pdu
        lldp["cdp-" + name] = CDP_DST + SRC + struct.pack("!H", len(payload)) + payload
    write("lldp", lldp)
    write("cdp", cdp_seeds())
    write("hosts", hosts_seeds())
    write("pcap-block", pcap_block_seeds([lldp[k] for k in sorted(lldp)[:12]]))
