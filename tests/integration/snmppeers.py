"""Real SNMP and LLDP peers for the SNMP plugin's integration tests.

snmpd and lldpd run in namespaces the test makes, each with its own config,
persistent folder, AgentX socket and lldpctl socket under the test's temp
folder, so several tests can run at once.  snmpd and lldpd both speak
sd_notify: their READY=1 is the readiness signal.
"""
import json
import os
import socket
import subprocess

import vwtest

# (one line: snmpd.conf cannot hold the real description's CR LF breaks)
HUAWEI_DESCR = ("Huawei Versatile Routing Platform Software VRP (R) software, Version 8.180 "
                "(CE6850 V200R005C10SPC800) Copyright (C) 2012-2018 Huawei Technologies Co., Ltd. "
                "HUAWEI CE6850-48S6Q-HI")
HUAWEI_OID = "1.3.6.1.4.1.2011.2.239.12"
HUAWEI_MAC = "30:fb:b8:11:22:33"         # 30FBB8: HUAWEI TECHNOLOGIES CO.,LTD
ZTE_DESCR = "ZXR10 5960-56QU-HF Software, Version V5.00.10.09, Copyright (c) 2019 ZTE Corporation"
ZTE_OID = "1.3.6.1.4.1.3902.3.100.5960"
ZTE_MAC = "08:60:83:44:55:66"            # 086083: zte corporation


def need_peers():
    vwtest.need_root()
    vwtest.need_prog("snmpd", "lldpd", "lldpcli", "snmpwalk", vwtest.VWD)
    if not os.path.exists(os.path.join(vwtest.PLUGIN_DIR, "snmp.so")):
        vwtest.skip("the snmp plugin is not built")


class Ctl:
    """The daemon's control socket, spoken directly (docs/protocol.md)."""

    def __init__(self, path):
        self.path = path

    def request(self, obj):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(30)
        s.connect(self.path)
        f = s.makefile("rwb")
        f.write((json.dumps(obj) + "\n").encode())
        f.flush()
        head = json.loads(f.readline())
        if not head.get("ok") or "stream" not in head:
            s.close()
            return head
        items = []
        while True:
            line = f.readline()
            if not line:
                vwtest.fail(f"stream {obj} ended without an end line")
            o = json.loads(line)
            if o.get("end"):
                break
            items.append(o)
        s.close()
        return items

    def devices(self):
        r = self.request({"command": "devices"})
        if isinstance(r, dict):
            vwtest.fail(f"devices: {r}")
        return r

    def snmp_status(self):
        st = self.request({"command": "status"})
        for p in st.get("plugins", []):
            if p.get("name") == "snmp":
                s = p.get("status")
                return json.loads(s) if isinstance(s, str) else (s or {})
        vwtest.fail(f"no snmp plugin in status: {st}")

    def cycles_done(self, n=1):
        """The snmp plugin's status once n discovery cycles have ended (else None)."""
        st = self.snmp_status()
        return st if st.get("cycles", 0) >= n and not st.get("cycle_running") else None



def start_snmpd(ns, d, name, listen, sys_descr, sys_object_id, sys_name,
                community="public", v3=(), agentx=None, extra=()):
    """One snmpd in `ns` listening on `listen` (list of "udp:ADDR:PORT").
    v3: (user, auth_pass, priv_pass) SHA-256/AES authPriv users, or
    (user, auth_pass, None) SHA authNoPriv users.  extra: more snmpd.conf
    lines (pass_persist)."""
    conf = os.path.join(d, f"{name}.conf")
    persist = os.path.join(d, f"{name}-persist")
    os.makedirs(persist, exist_ok=True)
    lines = [
        "agentaddress " + ",".join(listen),
        f"rocommunity {community} default",
        f"rocommunity6 {community} default",
        f"sysDescr {sys_descr}",
        f"sysObjectID .{sys_object_id}",
        f"sysName {sys_name}",
        "sysLocation test rack",
        "sysServices 6",
    ]
    # its own engine ID: net-snmp keys USM users by (engine, name)
    lines.append(f"engineID vwtest-{name}-{os.getpid()}")
    for user, auth, priv in v3:
        if priv:
            lines += [f'createUser {user} SHA-256 "{auth}" AES "{priv}"', f"rouser {user} priv"]
        else:
            lines += [f'createUser {user} SHA "{auth}"', f"rouser {user} auth"]
    if agentx:
        lines += ["master agentx", f"agentXSocket {agentx}", "agentXPerms 0777 0755"]
    else:
        lines += ["master none"]
    lines += list(extra)
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    n = vwtest.Notify(d, f"{name}-notify.sock")
    env = dict(os.environ, NOTIFY_SOCKET=n.path, SNMP_PERSISTENT_DIR=persist, MIBS="", MIBDIRS="/nonexistent")
    log = open(os.path.join(d, f"{name}.log"), "w")
    p = ns.popen("snmpd", "-f", "-C", "-c", conf, "-Lf", os.path.join(d, f"{name}.log"),
                 "-p", os.path.join(d, f"{name}.pid"), env=env, stdout=log, stderr=subprocess.STDOUT)
    n.wait("READY=1", timeout=30)
    return p


def start_lldpd(ns, d, name, iface, descr, hostname, mgmt=None, agentx=None):
    """One lldpd in `ns` on `iface`, its own control socket, tx-interval 1."""
    ctl = os.path.join(d, f"{name}-lldpd.sock")
    cfg = os.path.join(d, f"{name}-lldpd.conf")
    with open(cfg, "w") as f:
        f.write(f"configure system hostname {hostname}\n"
                f"configure lldp tx-interval 1\n")
    n = vwtest.Notify(d, f"{name}-lldpd-notify.sock")
    args = ["lldpd", "-d", "-u", ctl, "-O", cfg, "-I", iface, "-C", iface, "-S", descr, "-k"]
    if mgmt:
        args += ["-m", mgmt]
    if agentx:
        args += ["-x", "-X", agentx]
    log = open(os.path.join(d, f"{name}-lldpd.log"), "w")
    p = ns.popen(*args, env=dict(os.environ, NOTIFY_SOCKET=n.path), stdout=log, stderr=subprocess.STDOUT)
    n.wait("READY=1", timeout=30)
    # lldpd runs the -O file through its own lldpcli (configure ... then
    # resume) once it is up; a second `lldpcli configure` racing with that
    # start-up left lldpd sending one frame and never again now and then, so
    # wait for the configuration to be in force instead
    vwtest.wait_for(lambda: "Transmit delay: 1\n" in ns.run("lldpcli", "-u", ctl, "show", "configuration",
                                                          check=False).stdout,
                    20, f"lldpd {name} to run with tx-interval 1")
    return p, ctl


def lldp_neighbours(ns, ctl):
    r = ns.run("lldpcli", "-u", ctl, "-f", "json", "show", "neighbors", check=False)
    if r.returncode != 0:
        return None
    try:
        j = json.loads(r.stdout)
    except json.JSONDecodeError:
        return None
    return j.get("lldp", {}).get("interface") or None


def lldpd_diagnostics(ns, d, name, ctl):
    """What an lldpd knows, for a failure message."""
    out = []
    for args in (("show", "interfaces"), ("show", "statistics"), ("show", "configuration")):
        r = ns.run("lldpcli", "-u", ctl, *args, check=False)
        out.append(f"$ lldpcli {' '.join(args)}\n{r.stdout}{r.stderr}")
    try:
        with open(os.path.join(d, f"{name}-lldpd.log")) as f:
            out.append(f.read()[-3000:])
    except OSError:
        pass
    return "\n".join(out)
