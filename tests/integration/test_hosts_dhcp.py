#!/usr/bin/env python3
"""End hosts learned passively (lldp plugin, `hosts = true`) from real peers:
a real DHCP server (dnsmasq) and real DHCP clients (busybox udhcpc) with MACs
in Hikvision and Dahua blocks, each in its own namespace, all on a Linux
bridge in another namespace.  The daemon sits in a namespace of its own on a
port of that bridge, where the clients' broadcasts (DHCP discover/request,
ARP probes and requests from the kernel) arrive as they would on an access
port.

Asserts: both cameras appear as kind `host` with the right vendor, leased
address and hostname; a crafted 802.1Q-tagged DHCP request (this kernel has
no 8021q module for real VLAN interfaces) is recorded with its VLAN and takes
that VLAN's segment; a MAC also heard in LLDP stays kind `network`;
`devices --kind host|network` filter; the Dahua camera in the core segment
raises exactly one alert that names the capture interface; identical ARP is
not re-sent within the refresh; gratuitous-ARP floods and an address
flip-flopping between MACs are rate-limited and counted; a forged-MAC flood
of thousands of ARP frames hits the per-interface host cap with a counter and
the daemon's resident memory stays bounded."""
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostframes as hf  # noqa: E402
import lldphelp as lh  # noqa: E402
import vwtest  # noqa: E402
from vwtest import check, wait_for  # noqa: E402

vwtest.need_root()
vwtest.need_prog("ip", "dnsmasq", "udhcpc", vwtest.VWD, vwtest.VWCTL)
if not os.path.exists(os.path.join(vwtest.PLUGIN_DIR, "lldp.so")):
    vwtest.skip("lldp plugin not built (libpcap missing?)")

HIK_MAC = "44:47:cc:5a:10:01"       # Hangzhou Hikvision (IEEE MA-L 4447CC)
DAHUA_MAC = "08:ed:ed:5a:10:02"     # Zhejiang Dahua (IEEE MA-L 08EDED)
TAGGED_MAC = "58:03:fb:5a:10:03"    # Hangzhou Hikvision (IEEE MA-L 5803FB)
SWITCH_MAC = "00:1b:2b:5a:10:04"    # Cisco: a network device that also ARPs
SERVER_IP = "10.77.0.1"
CAP = 300

d = vwtest.tmpdir()
br = vwtest.Netns("vwhb")
srv = vwtest.Netns("vwhs")
cam1 = vwtest.Netns("vwh1")
cam2 = vwtest.Netns("vwh2")
us = vwtest.Netns("vwhu")
# group_fwd_mask bit 14: forward LLDP (01:80:c2:00:00:0e), which a bridge keeps to itself by default
br.run("ip", "link", "add", "br0", "type", "bridge", "group_fwd_mask", "0x4000")
br.run("ip", "link", "set", "br0", "up")


def port(ns, mac=None):
    """A veth from `ns` to a new port of the bridge; returns the name in `ns`."""
    a, b = vwtest.veth(ns, br, mac_a=mac)
    br.run("ip", "link", "set", b, "master", "br0")
    return a


srv_if = port(srv)
cam1_if = port(cam1, HIK_MAC)
cam2_if = port(cam2, DAHUA_MAC)
cap_if = port(us)
srv.run("ip", "addr", "add", f"{SERVER_IP}/24", "dev", srv_if)

daemon = vwtest.Daemon(
    lh.lldp_config([cap_if], f"hosts = true; max_hosts_per_interface = {CAP}; host_refresh_sec = 60; "
                             "gratuitous_arp_per_sec = 20; host_flap_limit = 3;")
    + 'segments = ( { name = "core"; role = "core"; prefixes = [ "10.77.0.0/24" ]; },\n'
      '             { name = "cams"; role = "edge"; vlans = [ 100 ]; } );\n'
      'policy = { unknown_as = "edge";\n'
      '  restricted = ( { vendor = "dahua"; roles = [ "core" ]; severity = "crit"; min_confidence = 0.5; } ); };\n'
      'alerts = { transport = "syslog"; };\n',
    d=d, ns=us).start()
wait_for(lambda: (lh.iface_status(daemon, cap_if) or {}).get("state") == "capturing", timeout=10,
         what=f"capture on {cap_if}")

# ---- the real DHCP server ----
leases = os.path.join(d, "dnsmasq.leases")
dnsmasq_log = open(os.path.join(d, "dnsmasq.log"), "w")
dnsmasq = srv.popen("dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0", "--user=root", "--group=root",
                    f"--interface={srv_if}", "--bind-interfaces", "--dhcp-range=10.77.0.10,10.77.0.50,255.255.255.0,1h",
                    f"--pid-file={os.path.join(d, 'dnsmasq.pid')}", f"--dhcp-leasefile={leases}",
                    "--log-dhcp", "--log-facility=-", stdout=dnsmasq_log, stderr=subprocess.STDOUT)


def dnsmasq_ready():
    if dnsmasq.poll() is not None:
        vwtest.fail(f"dnsmasq exited: {open(dnsmasq_log.name).read()[-2000:]}")
    return "DHCP, IP range" in open(dnsmasq_log.name).read()


wait_for(dnsmasq_ready, timeout=15, what="dnsmasq to serve DHCP")

# ---- real DHCP clients ----
script = os.path.join(d, "udhcpc.script")
with open(script, "w") as f:
    f.write("#!/bin/sh\n"
            "[ \"$1\" = bound ] || exit 0\n"
            "ip addr add \"$ip/$mask\" dev \"$interface\"\n"
            "echo \"$ip\" > \"$LEASED\"\n")
os.chmod(script, 0o755)


def dhcp_client(ns, iface, vendor_class, hostname):
    leased = os.path.join(d, f"leased-{iface}")
    r = subprocess.run(["ip", "netns", "exec", ns.name, "udhcpc", "-f", "-q", "-n", "-B", "-a",
                        "-t", "5", "-T", "1", "-A", "1", "-i", iface, "-V", vendor_class,
                        "-x", f"hostname:{hostname}", "-s", script],
                       env=dict(os.environ, LEASED=leased), capture_output=True, text=True, timeout=40)
    if r.returncode != 0 or not os.path.exists(leased):
        vwtest.fail(f"udhcpc on {iface}: exit {r.returncode}: {r.stderr[-1500:]}")
    ip = open(leased).read().strip()
    # traffic to the server: the kernel ARPs for it from the leased address
    ns.run(sys.executable, "-c", "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
                                 f".sendto(b'x', ('{SERVER_IP}', 9))")
    return ip


hik_ip = dhcp_client(cam1, cam1_if, "HIKVISION", "hik-cam-lobby")
dahua_ip = dhcp_client(cam2, cam2_if, "dahua", "dahua-cam-core")
check(hik_ip.startswith("10.77.0.") and dahua_ip.startswith("10.77.0.") and hik_ip != dahua_ip,
      f"dnsmasq leased {hik_ip} and {dahua_ip}")


def device(dev_id, pred=lambda x: True, what=None):
    def find():
        for x in daemon.devices():
            if x.get("id") == dev_id and pred(x):
                return x
        return None
    return wait_for(find, timeout=20, what=what or f"device {dev_id}")


def mac_id(mac):
    return "mac:" + mac.replace(":", "")


for mac, ip, vendor, name in ((HIK_MAC, hik_ip, "hikvision", "hik-cam-lobby"),
                              (DAHUA_MAC, dahua_ip, "dahua", "dahua-cam-core")):
    dev = device(mac_id(mac), lambda x: ip in (x.get("addresses") or []) and "arp" in (x.get("sources") or []),
                 what=f"{vendor} camera with {ip} from DHCP and ARP")
    check(dev.get("kind") == "host", f"{vendor} camera is kind host")
    check(dev.get("vendor") == vendor, f"{vendor} camera: vendor {dev.get('vendor')}")
    check(set(dev.get("sources")) >= {"dhcp", "arp"}, f"{vendor} camera seen by DHCP and ARP ({dev.get('sources')})")
    obs = lh.observations(daemon, dev["id"])
    check(any(o.get("hostname") == name and o.get("source") == "dhcp" for o in obs), f"{vendor} camera hostname {name}")
    check(any(o.get("via", {}).get("interface") == cap_if for o in obs), f"{vendor} camera seen on {cap_if}")
    det = lh.device_detail(daemon, dev["id"])
    check(any(e.get("source") == "dhcp_vendor_class" and e.get("vendor") == vendor for e in det.get("evidence") or []),
          f"{vendor} camera: the DHCP vendor class is evidence")
    check(dev.get("role") == "core" and dev.get("segment") == "core", f"{vendor} camera in segment core by address")

# ---- a VLAN-tagged host (crafted 802.1Q frame), a network device that ARPs ----
peer = cam1
lh.send_frames(peer, cam1_if, [
    hf.dhcp_frame(TAGGED_MAC, hf.dhcp_request(TAGGED_MAC, "10.100.0.7", "DS-2CD2143G0-I", "HIKVISION"),
                  tags=[(0x8100, 100)]),
    lh.eth(SWITCH_MAC, lh.lldpdu(b"\x04" + hf.mac_bytes(SWITCH_MAC), extra=lh.tlv(5, b"sw-access-1"))),
    hf.arp_frame(SWITCH_MAC, "10.77.0.254", SERVER_IP),
])
dev = device(mac_id(TAGGED_MAC))
obs = lh.observations(daemon, dev["id"])
check(any(o.get("vlan") == 100 for o in obs), "tagged DHCP request recorded with VLAN 100")
check(dev.get("kind") == "host" and dev.get("vendor") == "hikvision", f"tagged host: hikvision ({dev.get('vendor')})")
check("10.100.0.7" in (dev.get("addresses") or []), "tagged host: requested address")
check(dev.get("segment") == "cams" and dev.get("role") == "edge", f"tagged host in segment cams by VLAN ({dev.get('segment')})")

sw = device(mac_id(SWITCH_MAC), lambda x: "arp" in (x.get("sources") or []), what="the switch's ARP to merge")
check(sw.get("kind") == "network", f"a MAC heard in LLDP and ARP stays kind network ({sw.get('sources')})")
hosts = {x["id"] for x in daemon.devices("--kind", "host")}
network = {x["id"] for x in daemon.devices("--kind", "network")}
check({mac_id(HIK_MAC), mac_id(DAHUA_MAC), mac_id(TAGGED_MAC)} <= hosts and mac_id(SWITCH_MAC) not in hosts,
      "devices --kind host lists the hosts only")
check(mac_id(SWITCH_MAC) in network and not (hosts & network), "devices --kind network lists the switch only")

# ---- one alert for the restricted host in the core, naming where it is ----
alerts = wait_for(lambda: [a for a in (daemon.ctl("alerts", "--all") or []) if isinstance(a, dict)
                           and a.get("device") == mac_id(DAHUA_MAC)], timeout=10, what="the Dahua alert")
raised = [a for a in (daemon.ctl("alerts", "--all") or []) if isinstance(a, dict) and a.get("state") == "raised"]
check(len(raised) == 1 and raised[0].get("device") == mac_id(DAHUA_MAC),
      f"exactly one alert, for the Dahua camera ({[a.get('device') for a in raised]})")
check(raised[0].get("attached") == f"capture:{cap_if}", f"the alert names where it is attached ({raised[0].get('attached')})")

# ---- refresh, gratuitous ARP, flip-flops ----
st0 = lh.iface_status(daemon, cap_if)["hosts"]
same = hf.arp_frame(HIK_MAC, hik_ip, SERVER_IP)
lh.send_frames(cam1, cam1_if, [same, same, same])
wait_for(lambda: lh.iface_status(daemon, cap_if)["hosts"]["repeats_suppressed"] >= st0["repeats_suppressed"] + 3,
         timeout=10, what="identical ARP not re-sent")
check(True, "identical ARP within host_refresh_sec is counted, not re-sent")

lh.send_frames(cam1, cam1_if, [hf.arp_frame("b8:27:eb:5a:20:01", "10.77.0.200", "10.77.0.200")] * 200)
st = wait_for(lambda: (lambda h: h if h["gratuitous_arp_limited"] > 0 else None)(
    lh.iface_status(daemon, cap_if)["hosts"]), timeout=10, what="gratuitous ARP rate limit")
check(st["gratuitous_arp"] >= 21, f"gratuitous ARP counted ({st['gratuitous_arp']}, {st['gratuitous_arp_limited']} limited)")

flip = [hf.arp_frame(f"b8:27:eb:5a:30:{k:02x}", "10.77.0.201", SERVER_IP) for k in range(12)]
lh.send_frames(cam1, cam1_if, flip)
st = wait_for(lambda: (lambda h: h if h["flap_suppressed"] > 0 else None)(
    lh.iface_status(daemon, cap_if)["hosts"]), timeout=10, what="flip-flop suppression")
check(st["flip_flops"] >= 4, f"address moving between MACs counted ({st['flip_flops']} flips, "
                              f"{st['flap_suppressed']} frames suppressed)")
log = daemon.log_text()
check(log.count("moves between MACs") == 1 and log.count("gratuitous ARP over") == 1,
      "one warning each for the flood and the flip-flops, not one per frame")


# ---- forged-MAC flood against the cap ----

def rss_kib():
    return vwtest.rss_kib(daemon.proc.pid)


def flood(n, seed):
    rnd = random.Random(seed)
    frames = []
    for _ in range(n):
        mac = "b8:27:eb:" + ":".join(f"{rnd.randrange(256):02x}" for _ in range(3))
        frames.append(hf.arp_frame(mac, f"198.18.{rnd.randrange(256)}.{rnd.randrange(1, 255)}", "198.18.0.1"))
    lh.send_frames(cam2, cam2_if, frames)


rss0 = rss_kib()
flood(4000, 1)
st = wait_for(lambda: (lambda h: h if h["host_cap_refused"] > 0 and h["learned"] >= CAP else None)(
    lh.iface_status(daemon, cap_if)["hosts"]), timeout=20, what="the host cap to refuse")
rss1 = rss_kib()
flood(4000, 2)
wait_for(lambda: lh.iface_status(daemon, cap_if)["hosts"]["host_cap_refused"] > st["host_cap_refused"] + 1000,
         timeout=20, what="the second flood to be refused")
rss2 = rss_kib()
st = lh.iface_status(daemon, cap_if)["hosts"]
check(st["learned"] <= CAP, f"at most {CAP} hosts kept ({st['learned']}, {st['host_cap_refused']} refused)")
check("end hosts, ignoring new ones" in daemon.log_text(), "cap warning logged once")
check(daemon.log_text().count("end hosts, ignoring new ones") == 1, "... and only once")
if vwtest.sanitized(daemon.proc.pid):   # the cap counters above are the proof there
    vwtest.log(f"ASan build: RSS bound not asserted (VmRSS {rss0} -> {rss1} -> {rss2} KiB)")
else:
    check(rss2 - rss1 < 4096, f"memory bounded: VmRSS {rss0} -> {rss1} -> {rss2} KiB (second flood +{rss2 - rss1} KiB)")
n_hosts = len(daemon.devices("--kind", "host"))
check(n_hosts <= CAP + 10, f"the inventory holds at most the cap's worth of hosts ({n_hosts})")

check(daemon.stop() == 0, "daemon stops cleanly")
