#!/usr/bin/env python3
"""vendorwatchd as the service runs it: an unprivileged user with CAP_NET_RAW.

The daemon runs in a namespace as `nobody`, holding only CAP_NET_RAW (ambient,
inheritable, and the whole bounding set), the way vendorwatchd.service starts
it.  A real lldpd in a second namespace is its neighbour over a veth pair; the
daemon must capture its frames and list it.  Without the capability it must
still start and say which capture interface it may not open.
"""
import json
import os
import pwd
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import vwtest  # noqa: E402

CAP_NET_RAW = 13
# RFC 7042 documentation MAC block: never a real device.
NEIGH_MAC = "00:00:5e:00:53:42"


def setpriv(uid, gid, caps):
    cmd = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--init-groups"]
    if caps:
        cmd += ["--inh-caps=+net_raw", "--ambient-caps=+net_raw",
                "--bounding-set=-all,+net_raw"]
    else:
        cmd += ["--inh-caps=-all", "--bounding-set=-all"]
    return cmd


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()
    return out


def unprivileged_daemon(user, ns, iface, caps):
    d = vwtest.Daemon(
        config_body=f'plugins = ( {{ name = "lldp"; interfaces = [ "{iface}" ]; }} );\n',
        ns=ns, prefix=setpriv(user.pw_uid, user.pw_gid, caps))
    os.chown(d.dir, user.pw_uid, user.pw_gid)
    d.notify = vwtest.Notify(d.dir)
    os.chmod(d.notify.path, 0o777)
    return d


def main():
    vwtest.need_root()
    vwtest.need_prog("lldpd", "setpriv", "ip", vwtest.VWD, vwtest.VWCTL)
    if not os.path.exists(os.path.join(vwtest.PLUGIN_DIR, "lldp.so")):
        vwtest.skip("the lldp plugin is not built")
    user = pwd.getpwnam("nobody")

    here, peer = vwtest.Netns("vwu"), vwtest.Netns("vwn")
    a, b = vwtest.veth(here, peer, mac_b=NEIGH_MAC)

    # lldpd privilege-separates into its chroot, /run/lldpd.
    os.makedirs("/run/lldpd", exist_ok=True)
    ld = vwtest.tmpdir()
    # A frame a second, so the daemon need not wait out the 30 s default.
    with open(os.path.join(ld, "lldpd.conf"), "w") as f:
        f.write("configure lldp tx-interval 1\n")
    marker = vwtest.unique("vwneigh")
    peer.popen("lldpd", "-d", "-u", os.path.join(ld, "lldpd.sock"),
               "-O", os.path.join(ld, "lldpd.conf"), "-I", b,
               "-S", f"vendorwatch test neighbour {marker}",
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    # -- with CAP_NET_RAW only ---------------------------------------------
    d = unprivileged_daemon(user, here, a, caps=True).start()
    vwtest.check(True, "READY=1 from the daemon as nobody with CAP_NET_RAW")
    st = proc_status(d.proc.pid)
    vwtest.check(os.path.basename(os.readlink(f"/proc/{d.proc.pid}/exe")) == "vendorwatchd",
                 "the process checked is vendorwatchd itself")
    vwtest.check(st["Uid"][:2] == [str(user.pw_uid)] * 2, f"runs as uid {user.pw_uid}")
    eff, bnd = int(st["CapEff"][0], 16), int(st["CapBnd"][0], 16)
    vwtest.check(eff == 1 << CAP_NET_RAW and bnd == 1 << CAP_NET_RAW,
                 f"holds CAP_NET_RAW and nothing else (CapEff={eff:#x}, CapBnd={bnd:#x})")

    mac_forms = (NEIGH_MAC, NEIGH_MAC.replace(":", ""), NEIGH_MAC.replace(":", "-"))

    def neighbour():
        devs = d.devices()
        text = json.dumps(devs).lower()
        return devs if marker in text or any(m in text for m in mac_forms) else None

    devs = vwtest.wait_for(neighbour, timeout=90, what="the lldpd neighbour in the inventory",
                           interval=0.5)
    vwtest.check(bool(devs), "the unprivileged daemon sees the lldpd neighbour")
    vwtest.check(d.stop() == 0, "clean stop")

    # -- without it ------------------------------------------------------------
    d = unprivileged_daemon(user, here, a, caps=False).start()
    vwtest.check(True, "without CAP_NET_RAW the daemon still starts")
    st = proc_status(d.proc.pid)
    vwtest.check(int(st["CapEff"][0], 16) == 0, "and holds no capability")
    status = d.ctl("status")
    d.stop()
    text = d.log_text()
    lines = [l for l in text.splitlines() if a in l]
    vwtest.log("\n".join(lines))
    vwtest.check(any(("ermission" in l or "not permitted" in l) for l in lines),
                 f"the log says it may not capture on {a}")
    vwtest.check(status is not None and a in json.dumps(status),
                 "status names the interface it could not open")


if __name__ == "__main__":
    main()
