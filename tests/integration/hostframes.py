"""Builders for end-host frames (ARP, IPv6 neighbour discovery, DHCP,
DHCPv6) from their RFCs, shared by the integration test, the fuzz seeds
(tests/fuzz/make-seeds.py) and the benchmark (tests/bench/bench-hosts)."""
import ipaddress
import struct

BROADCAST = "ff:ff:ff:ff:ff:ff"


def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", "").replace("-", ""))


def eth(dst, src, ethertype, payload, tags=()):
    """Ethernet frame; tags = [(tpid, vid), ...] outermost first."""
    h = mac_bytes(dst) + mac_bytes(src)
    for tpid, vid in tags:
        h += struct.pack("!HH", tpid, vid)
    return h + struct.pack("!H", ethertype) + payload


def arp(sender_mac, sender_ip, target_ip, op=1, target_mac="00:00:00:00:00:00"):
    return (struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + mac_bytes(sender_mac)
            + ipaddress.IPv4Address(sender_ip).packed + mac_bytes(target_mac)
            + ipaddress.IPv4Address(target_ip).packed)


def arp_frame(sender_mac, sender_ip, target_ip, op=1, tags=(), dst=BROADCAST):
    return eth(dst, sender_mac, 0x0806, arp(sender_mac, sender_ip, target_ip, op), tags)


def ipv4_udp(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed)
    return ip + udp


def dhcp_options(opts):
    """opts: [(code, bytes)]; the end option is appended."""
    return b"".join(bytes([c, len(v)]) + v for c, v in opts) + b"\xff"


def bootp(op, chaddr, options, ciaddr="0.0.0.0", yiaddr="0.0.0.0", xid=0x1234):
    return (struct.pack("!BBBBIHH", op, 1, 6, 0, xid, 0, 0x8000)
            + ipaddress.IPv4Address(ciaddr).packed + ipaddress.IPv4Address(yiaddr).packed
            + bytes(8) + mac_bytes(chaddr) + bytes(10) + bytes(192)
            + b"\x63\x82\x53\x63" + dhcp_options(options))


def dhcp_request(chaddr, requested, hostname=None, vendor_class=None, msg_type=3):
    opts = [(53, bytes([msg_type]))]
    if requested:
        opts.append((50, ipaddress.IPv4Address(requested).packed))
    if hostname:
        opts.append((12, hostname.encode()))
    if vendor_class:
        opts.append((60, vendor_class.encode()))
    return bootp(1, chaddr, opts)


def dhcp_frame(chaddr, payload, tags=(), client=True, src_mac=None):
    if client:
        ip = ipv4_udp("0.0.0.0", "255.255.255.255", 68, 67, payload)
    else:
        ip = ipv4_udp("192.0.2.1", "255.255.255.255", 67, 68, payload)
    return eth(BROADCAST, src_mac or chaddr, 0x0800, ip, tags)


def ipv6(src, dst, nh, payload, hop=255):
    return (struct.pack("!IHBB", 6 << 28, len(payload), nh, hop)
            + ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed + payload)


def nd(type_, target, lladdr=None, flags=0):
    opt = b""
    if lladdr:
        opt = bytes([1 if type_ == 135 else 2, 1]) + mac_bytes(lladdr)
    return struct.pack("!BBHI", type_, 0, 0, flags) + ipaddress.IPv6Address(target).packed + opt


def nd_frame(src_mac, src_ip, type_, target, lladdr=None, tags=()):
    dst_ip = "ff02::1" if type_ == 136 else "ff02::1:ff00:1"
    dst_mac = "33:33:00:00:00:01" if type_ == 136 else "33:33:ff:00:00:01"
    return eth(dst_mac, src_mac, 0x86DD, ipv6(src_ip, dst_ip, 58, nd(type_, target, lladdr)), tags)


def dhcp6(msg_type, opts):
    """opts: [(code, bytes)]."""
    return bytes([msg_type]) + b"\x00\x00\x01" + b"".join(struct.pack("!HH", c, len(v)) + v for c, v in opts)


def duid_ll(mac):
    return struct.pack("!HH", 3, 1) + mac_bytes(mac)


def dhcp6_vendor_class(enterprise, data):
    return struct.pack("!IH", enterprise, len(data)) + data


def dhcp6_frame(src_mac, payload, tags=()):
    udp = struct.pack("!HHHH", 546, 547, 8 + len(payload), 0) + payload
    return eth("33:33:00:01:00:02", src_mac, 0x86DD, ipv6("fe80::1", "ff02::1:2", 17, udp, hop=1), tags)
