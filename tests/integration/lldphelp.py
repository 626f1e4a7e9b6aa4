"""Helpers shared by the test_lldp_* integration tests: a real lldpd peer in a
namespace, crafted frames sent through a packet socket, and device lookups
through vendorwatchctl."""
import os
import shutil
import signal
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vwtest  # noqa: E402

HUAWEI_DESCR = ("Huawei Versatile Routing Platform Software, VRP (R) software, "
                "Version 8.180 (CE6850EI V200R005C10SPC800)")


def need_lldpd():
    vwtest.need_root()
    vwtest.need_prog("lldpd", "lldpcli", "ip", vwtest.VWD, vwtest.VWCTL)
    if not os.path.exists(os.path.join(vwtest.PLUGIN_DIR, "lldp.so")):
        vwtest.skip("lldp plugin not built (libpcap missing?)")


class Lldpd:
    """lldpd on one interface of a namespace, with its own control socket, pid
    file and start-up configuration (applied before the first frame is sent,
    so every frame the test sees already carries it)."""

    def __init__(self, ns, iface, d, descr=HUAWEI_DESCR, args=(), hostname=None, tx_hold=None,
                 caps=None, platform=None):
        self.ns = ns
        self.iface = iface
        self.sock = os.path.join(d, f"lldpd-{iface}.sock")
        conf = os.path.join(d, f"lldpd-{iface}.conf")
        lines = ["configure lldp tx-interval 1", "configure lldp portidsubtype ifname"]
        if hostname:
            lines.append(f"configure system hostname {hostname}")
        if tx_hold:
            lines.append(f"configure lldp tx-hold {tx_hold}")
        if caps:
            lines.append(f"configure system capabilities enabled {caps}")
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        extra = list(args) + (["-P", platform] if platform else [])
        self.log_path = os.path.join(d, f"lldpd-{iface}.log")
        self.log = open(self.log_path, "w")
        self.proc = ns.popen("lldpd", "-d", "-u", self.sock, "-p", os.path.join(d, f"lldpd-{iface}.pid"),
                             "-O", conf, "-I", iface, "-S", descr, *extra,
                             stdout=self.log, stderr=subprocess.STDOUT)
        vwtest.wait_for(lambda: self.proc.poll() is not None
                        or self.cli("show", "configuration", check=False).returncode == 0,
                        timeout=20, what=f"lldpd on {iface}")
        if self.proc.poll() is not None:
            vwtest.fail(f"lldpd on {iface} exited: {open(self.log_path).read()[-2000:]}")

    def cli(self, *args, check=True):
        return self.ns.run("lldpcli", "-u", self.sock, *args, check=check)

    def stop(self):
        """SIGTERM: lldpd sends a shutdown LLDPDU (TTL 0) before exiting."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(15)

    def kill(self):
        """SIGKILL: lldpd vanishes without a word (no shutdown LLDPDU)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(15)


def tlv(t, v):
    return struct.pack("!H", t << 9 | len(v)) + v


def lldpdu(chassis, port=b"\x05p1", ttl=120, extra=b""):
    return tlv(1, chassis) + tlv(2, port) + tlv(3, struct.pack("!H", ttl)) + extra + tlv(0, b"")


SENDER = r"""
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
data = sys.stdin.buffer.read()
while data:
    n = int.from_bytes(data[:2], "big")
    s.send(data[2:2 + n])
    data = data[2 + n:]
"""


def send_frames(ns, iface, frames):
    """Send raw Ethernet frames out of `iface` inside `ns` (a packet socket)."""
    blob = b"".join(struct.pack("!H", len(f)) + f for f in frames)
    r = subprocess.run(["ip", "netns", "exec", ns.name, sys.executable, "-c", SENDER, iface],
                       input=blob, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.decode())


def eth(src, payload, tags=(), dst="0180c200000e", ethertype=0x88CC):
    h = bytes.fromhex(dst) + bytes.fromhex(src.replace(":", ""))
    for tpid, vid in tags:
        h += struct.pack("!HH", tpid, vid)
    return h + struct.pack("!H", ethertype) + payload


def device(d, chassis_id):
    for dev in d.devices():
        if dev.get("chassis_id") == chassis_id:
            return dev
    return None


def device_detail(d, dev_id):
    r = d.ctl("device", dev_id)
    if isinstance(r, dict) and "device" in r:
        return r["device"]
    return r


def observations(d, dev_id):
    det = device_detail(d, dev_id) or {}
    return det.get("observations") or []


def plugin_status(d, name="lldp"):
    st = d.ctl("status")
    for p in st.get("plugins", []):
        if p.get("name") == name:
            s = p.get("status")
            return s if isinstance(s, dict) else {}
    return {}


def iface_status(d, iface):
    for i in plugin_status(d).get("interfaces", []):
        if i.get("name") == iface:
            return i
    return None


def lldp_config(ifaces, extra=""):
    names = ", ".join(f'"{i}"' for i in ifaces)
    return f'plugins = ( {{ name = "lldp"; interfaces = [ {names} ]; {extra} }} );\n'


def have_lldpd():
    return shutil.which("lldpd") is not None
