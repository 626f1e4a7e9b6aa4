#!/usr/bin/env python3
"""The demo lab: a small network in namespaces with real peers, and
vendorwatchd watching it.  tests/lab/demo.sh builds and then runs this.

    namespace ...-mon: vendorwatchd (lldp + snmp plugins, conf/lab.conf and the
                       policy of conf/vendorwatch.conf), rsyslog (the lab's socket)
      core-huawei ==== eth0  ...-huawei  lldpd (VRP, 00:e0:fc:..) + snmpd (2011.2.239.12)
      core-cisco  ==== eth0  ...-cisco   lldpd (Cisco IOS, 00:1b:54:..)
      edge-zte    ==== eth0  ...-zte     lldpd (ZXR10, 08:60:83:..)
      edge-cam    ==== eth0  ...-cam     lldpd (Hikvision camera, 44:47:cc:..)

Every process of the lab runs inside one of its namespaces, named
PREFIX<run id>-<host>; `--clean ID` (and the start of every run, for runs
whose process is gone) kills them and deletes the namespaces.  Exit status 0
only when exactly the expected alerts were raised.
"""
import argparse
import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("VW_SOURCE_ROOT") or os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
import vwtest  # noqa: E402

OUI_CSV = "/usr/share/ieee-data/oui.csv"
SETTLE_SEC = float(os.environ.get("VW_LAB_TIMEOUT", "60"))

HUAWEI_DESCR = ("Huawei Versatile Routing Platform Software, VRP (R) software, "
                "Version 8.180 (CE6850EI V200R005C10SPC800)")
HUAWEI_OID = "1.3.6.1.4.1.2011.2.239.12"

# name, segment, MAC, IEEE organisation of its block, address, sysName,
# description, capabilities, expected vendor, alert expected
PEERS = [
    dict(name="huawei", segment="core", mac="00:e0:fc:3a:10:01", org="HUAWEI TECHNOLOGIES",
         addr="192.0.2.1", mon="192.0.2.2", prefix=30, sys_name="core-sw1-ce6850",
         descr=HUAWEI_DESCR, caps="bridge,router", vendor="huawei", alert=True, snmp=True),
    dict(name="cisco", segment="core", mac="00:1b:54:3a:10:02", org="Cisco Systems",
         addr="192.0.2.5", mon="192.0.2.6", prefix=30, sys_name="core-rtr1-isr4331",
         descr=("Cisco IOS Software [Fuji], ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), "
                "Version 16.9.4, RELEASE SOFTWARE (fc2)"),
         caps="router", vendor="cisco", alert=False),
    dict(name="zte", segment="edge", mac="08:60:83:3a:10:03", org="zte corporation",
         addr="198.51.100.1", mon="198.51.100.2", prefix=30, sys_name="edge-sw1-zxr10",
         descr="ZXR10 5250-28TM-H Software, Version V2.05.11B33, Copyright (c) 2013 ZTE Corporation",
         caps="bridge", vendor="zte", alert=False),
    dict(name="cam", segment="edge", mac="44:47:cc:3a:10:04", org="Hikvision",
         addr="198.51.100.5", mon="198.51.100.6", prefix=30, sys_name="edge-cam-lobby",
         descr="Hikvision DS-2CD2143G0-I Network Camera, V5.6.3 build 190923",
         caps="station", vendor="hikvision", alert=True),
]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def dev_id(mac):
    return "mac:" + mac.replace(":", "")


# --- namespaces of this run and of earlier ones ----------------------------

def lab_namespaces(prefix):
    """{run id: [namespace, ...]} of every lab namespace on the machine."""
    r = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    out = {}
    for line in r.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.fullmatch(re.escape(prefix) + r"(\d+)-[a-z]+", name)
        if m:
            out.setdefault(int(m.group(1)), []).append(name)
    return out


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def clean_run(prefix, run_id):
    """Kill every process in the run's namespaces, delete them, remove its folder."""
    names = lab_namespaces(prefix).get(run_id, [])
    for _ in range(50):
        pids = []
        for ns in names:
            r = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
            pids += [int(p) for p in r.stdout.split()]
        if not pids:
            break
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)
    for ns in names:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    tmp = tempfile.gettempdir()
    for entry in os.listdir(tmp):
        if entry.startswith(f"{prefix}{run_id}-"):
            shutil.rmtree(os.path.join(tmp, entry), ignore_errors=True)
    return names


def clean_stale(prefix, keep):
    """Runs whose process is gone (killed before their clean-up) leave
    namespaces and processes behind: remove them."""
    for run_id in lab_namespaces(prefix):
        if run_id != keep and not alive(run_id):
            names = clean_run(prefix, run_id)
            log(f"lab: removed what an earlier run ({run_id}) left: {', '.join(names)}")
    tmp = tempfile.gettempdir()
    for entry in os.listdir(tmp):
        m = re.fullmatch(re.escape(prefix) + r"(\d+)-.*", entry)
        if m and int(m.group(1)) != keep and not alive(int(m.group(1))):
            shutil.rmtree(os.path.join(tmp, entry), ignore_errors=True)


class Ns:
    def __init__(self, prefix, run_id, host):
        self.name = f"{prefix}{run_id}-{host}"
        vwtest.sh("ip", "netns", "add", self.name)
        vwtest.at_exit(lambda: vwtest.sh("ip", "netns", "del", self.name, check=False))
        self.run("ip", "link", "set", "lo", "up")

    def run(self, *cmd, check=True, **kw):
        return vwtest.sh(*cmd, check=check, ns=self.name, **kw)

    def popen(self, *cmd, **kw):
        p = subprocess.Popen(("ip", "netns", "exec", self.name) + cmd, **kw)
        vwtest.at_exit(lambda: vwtest._stop(p))
        return p



# --- checks before anything starts -----------------------------------------

def check_oui_blocks():
    """Each peer's MAC must lie in a block IEEE registered to its maker."""
    blocks = {}
    with open(OUI_CSV, newline="") as f:
        for row in csv.reader(f):
            if len(row) >= 3 and row[0] == "MA-L":
                blocks[row[1].upper()] = row[2]
    for p in PEERS:
        block = p["mac"].replace(":", "")[:6].upper()
        org = blocks.get(block)
        if not org or p["org"].lower() not in org.lower():
            vwtest.fail(f"{p['mac']}: block {block} is registered to {org!r} in {OUI_CSV}, not {p['org']}")


def shipped_policy():
    """The `policy = { ... };` group of conf/vendorwatch.conf, as text."""
    path = os.path.join(SOURCE, "conf", "vendorwatch.conf")
    text = open(path).read()
    m = re.search(r"^policy\s*=\s*\{", text, re.M)
    if not m:
        vwtest.fail(f"{path}: no policy group")
    depth, i = 0, m.start()
    in_str = in_comment = False
    while i < len(text):
        c = text[i]
        if in_comment:
            in_comment = c != "\n"
        elif in_str:
            in_str = c != '"' or text[i - 1] == "\\"
        elif c == "#":
            in_comment = True
        elif c == '"':
            in_str = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                end = text.index(";", i) + 1
                return text[m.start():end] + "\n"
        i += 1
    vwtest.fail(f"{path}: the policy group does not end")


# --- the peers ---------------------------------------------------------------

def start_rsyslog(mon, d):
    sock = os.path.join(d, "log.sock")
    out = os.path.join(d, "syslog.log")
    conf = os.path.join(d, "rsyslog.conf")
    with open(conf, "w") as f:
        f.write(f'''global(workDirectory="{d}")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="{sock}" CreatePath="on" RateLimit.Interval="0")
template(name="lab" type="string" string="%timegenerated:::date-rfc3339% %syslogtag% %syslogfacility-text%.%syslogseverity-text%%msg:::sp-if-no-1st-sp%%msg%\\n")
*.* action(type="omfile" file="{out}" template="lab")
''')
    mon.popen("rsyslogd", "-n", "-f", conf, "-i", os.path.join(d, "rsyslog.pid"),
              stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "rsyslog.err"), "w"))
    vwtest.wait_for(lambda: os.path.exists(sock), what="rsyslog's socket")
    return sock, out




def start_snmpd(ns, d, p, agentx):
    conf = os.path.join(d, f"snmpd-{p['name']}.conf")
    persist = os.path.join(d, f"snmpd-{p['name']}")
    os.makedirs(persist, exist_ok=True)
    with open(conf, "w") as f:
        f.write("\n".join([
            f"agentaddress udp:{p['addr']}:161",
            "rocommunity vwlab default",
            f"sysDescr {p['descr']}",
            f"sysObjectID .{HUAWEI_OID}",
            f"sysName {p['sys_name']}",
            "sysLocation demo lab, core rack",
            "sysServices 6",
            "master agentx",
            f"agentXSocket {agentx}",
            "agentXPerms 0777 0755",
        ]) + "\n")
    n = vwtest.Notify(d, f"snmpd-{p['name']}-notify.sock")
    env = dict(os.environ, NOTIFY_SOCKET=n.path, SNMP_PERSISTENT_DIR=persist, MIBS="", MIBDIRS="/nonexistent")
    logf = os.path.join(d, f"snmpd-{p['name']}.log")
    ns.popen("snmpd", "-f", "-C", "-c", conf, "-Lf", logf, "-p", os.path.join(d, f"snmpd-{p['name']}.pid"),
             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    n.wait("READY=1", timeout=30)


def start_lldpd(ns, d, p, agentx=None):
    name = p["name"]
    ctl = os.path.join(d, f"lldpd-{name}.sock")
    conf = os.path.join(d, f"lldpd-{name}.conf")
    with open(conf, "w") as f:
        f.write(f"configure system hostname {p['sys_name']}\n"
                "configure lldp tx-interval 1\n"
                "configure lldp tx-hold 10\n"
                "configure lldp portidsubtype ifname\n"
                f"configure system capabilities enabled {p['caps']}\n")
    n = vwtest.Notify(d, f"lldpd-{name}-notify.sock")
    args = ["lldpd", "-d", "-k", "-i", "-u", ctl, "-p", os.path.join(d, f"lldpd-{name}.pid"), "-O", conf,
            "-I", "eth0", "-C", "eth0", "-S", p["descr"], "-m", p["addr"]]
    if agentx:
        args += ["-x", "-X", agentx]
    logf = open(os.path.join(d, f"lldpd-{name}.log"), "w")
    ns.popen(*args, env=dict(os.environ, NOTIFY_SOCKET=n.path), stdout=logf, stderr=subprocess.STDOUT)
    n.wait("READY=1", timeout=30)


# --- the daemon's answers -----------------------------------------------------

def as_list(r):
    if r is None:
        return []
    return r if isinstance(r, list) else [r]


def snmp_status(daemon):
    for p in daemon.ctl("status").get("plugins", []):
        if p.get("name") == "snmp":
            s = p.get("status")
            return json.loads(s) if isinstance(s, str) else (s or {})
    return {}


def settled(daemon):
    """Every peer seen with its vendor and role, the Huawei also over SNMP,
    and the first SNMP cycle over: returns the devices, else None."""
    devs = {x.get("id"): x for x in daemon.devices()}
    for p in PEERS:
        x = devs.get(dev_id(p["mac"]))
        if not x or x.get("vendor") != p["vendor"] or x.get("role") != p["segment"]:
            return None
        if p.get("snmp") and "snmp" not in (x.get("sources") or []):
            return None
    st = snmp_status(daemon)
    if st.get("cycles", 0) < 1 or st.get("cycle_running"):
        return None
    return devs


def syslog_lines(log_sock, path, marker):
    """What rsyslog wrote, once a marker sent after everything else is in."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(f"<173>{marker}: end of the lab".encode(), log_sock)
    s.close()

    def read():
        try:
            text = open(path).read()
        except FileNotFoundError:
            return None
        return text if marker in text else None
    text = vwtest.wait_for(read, timeout=15, what="rsyslog to write the lab's marker")
    return [l for l in text.splitlines() if "vendorwatch alert=" in l]


def show(title, text):
    print(f"\n=== {title}", flush=True)
    print(text.rstrip("\n"), flush=True)


class Stopped(SystemExit):
    pass


def stopped(signum, frame):
    log("lab: stopping (SIGTERM)")
    raise Stopped(143)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--id", type=int, default=os.getpid(), help="run id (default: this process)")
    ap.add_argument("--prefix", default=os.environ.get("VW_LAB_PREFIX", "vwlab"),
                    help="namespace name prefix (default vwlab)")
    ap.add_argument("--clean", action="store_true", help="only remove what run --id left behind")
    ap.add_argument("--own-group", action="store_true",
                    help="leave the terminal's process group: Ctrl-C goes to the caller (demo.sh), "
                         "which stops the lab with SIGTERM")
    a = ap.parse_args()
    if a.own_group:
        os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, stopped)
    if not re.fullmatch(r"[a-z]{1,12}", a.prefix):
        vwtest.fail(f"--prefix {a.prefix!r}: 1-12 lowercase letters")
    if os.geteuid() != 0:
        vwtest.fail("the lab needs root (network namespaces): run it with sudo")

    if a.clean:
        clean_run(a.prefix, a.id)
        return 0
    clean_stale(a.prefix, a.id)
    for prog in ("ip", "lldpd", "snmpd", "rsyslogd", "unshare", "mount", vwtest.VWD, vwtest.VWCTL):
        if shutil.which(prog) is None and not os.path.exists(prog):
            vwtest.fail(f"{prog} is missing (packaging/deps.sh installs it; the build makes vendorwatchd)")
    for plugin in ("lldp", "snmp"):
        if not os.path.exists(os.path.join(vwtest.PLUGIN_DIR, f"{plugin}.so")):
            vwtest.fail(f"{vwtest.PLUGIN_DIR}/{plugin}.so is not built")
    check_oui_blocks()

    d = tempfile.mkdtemp(prefix=f"{a.prefix}{a.id}-")
    os.chmod(d, 0o755)
    vwtest.at_exit(lambda: shutil.rmtree(d, ignore_errors=True))
    # Namespaces go last (cleanups run in reverse), processes first.
    vwtest.at_exit(lambda: clean_run(a.prefix, a.id))

    print(f"lab: run {a.id}, namespaces {a.prefix}{a.id}-*, folder {d}", flush=True)
    mon = Ns(a.prefix, a.id, "mon")
    hosts = {}
    for p in PEERS:
        ns = hosts[p["name"]] = Ns(a.prefix, a.id, p["name"])
        mon_if = f"{p['segment']}-{p['name']}"
        vwtest.sh("ip", "-n", mon.name, "link", "add", mon_if, "type", "veth", "peer", "name", "eth0",
                  "netns", ns.name)
        ns.run("ip", "link", "set", "eth0", "address", p["mac"])
        ns.run("ip", "addr", "add", f"{p['addr']}/{p['prefix']}", "dev", "eth0")
        ns.run("ip", "link", "set", "eth0", "up")
        mon.run("ip", "addr", "add", f"{p['mon']}/{p['prefix']}", "dev", mon_if)
        mon.run("ip", "link", "set", mon_if, "up")

    log_sock, syslog_path = start_rsyslog(mon, d)
    for p in PEERS:
        agentx = None
        if p.get("snmp"):
            agentx = os.path.join(d, f"agentx-{p['name']}.sock")
            start_snmpd(hosts[p["name"]], d, p, agentx)
        start_lldpd(hosts[p["name"]], d, p, agentx)
    hw = PEERS[0]
    # lldpd has registered LLDP-MIB with snmpd once lldpLocChassisId answers
    env = dict(os.environ, SNMP_PERSISTENT_DIR=d, MIBS="", MIBDIRS="/nonexistent")
    vwtest.wait_for(lambda: "Hex-STRING" in hosts["huawei"].run(
        "snmpget", "-v2c", "-c", "vwlab", "-On", "-t", "1", hw["addr"], "1.0.8802.1.1.2.1.3.2.0",
        check=False, env=env).stdout, timeout=20, what="LLDP-MIB in the Huawei's snmpd (lldpd over AgentX)")
    print("lab: peers up: " + ", ".join(f"{p['name']} ({p['mac']}, {p['addr']})" for p in PEERS), flush=True)

    with open(os.path.join(SOURCE, "conf", "lab.conf")) as f:
        body = f.read()
    ddir = os.path.join(d, "daemon")
    os.mkdir(ddir)
    daemon = vwtest.Daemon(body + "\n# The shipped policy (conf/vendorwatch.conf):\n" + shipped_policy(), d=ddir,
                           ns=mon, prefix=["unshare", "-m", vwtest.private_dev_log(d, log_sock)],
                           env={"STATE_DIRECTORY": d})
    r = vwtest.sh(vwtest.VWD, "--check-config", "--config", daemon.conf, check=False)
    if r.returncode != 0:
        vwtest.fail(f"the lab's config is refused: {r.stdout}{r.stderr}")
    started = time.monotonic()
    daemon.start()
    try:
        devs = vwtest.wait_for(lambda: settled(daemon), timeout=SETTLE_SEC, interval=0.2,
                               what="discovery to settle (every peer with its vendor and role)")
    except Stopped:
        raise
    except SystemExit:
        log("lab: devices now: " + json.dumps(daemon.devices(), indent=1)[:4000])
        log("lab: the daemon's log (end):\n" + daemon.log_text()[-4000:])
        raise
    daemon.ctl("sync")
    print(f"lab: discovery settled in {time.monotonic() - started:.1f} s", flush=True)

    for cmd in ("devices", "alerts"):
        # straight to our stdout: on a terminal vendorwatchctl uses its width
        print(f"\n=== vendorwatchctl {cmd}", flush=True)
        if subprocess.run([vwtest.VWCTL, "--socket", daemon.sock, cmd], timeout=30).returncode != 0:
            vwtest.fail(f"vendorwatchctl {cmd} failed")
    lines = syslog_lines(log_sock, syslog_path, f"vwlab-marker-{a.id}")
    show(f"syslog lines the daemon wrote (rsyslog, {os.path.basename(syslog_path)})", "\n".join(lines) or "(none)")

    # --- the verdict ---
    problems = []
    alerts = [x for x in as_list(daemon.ctl("alerts")) if isinstance(x, dict) and x.get("id") is not None]
    raised = [x for x in alerts if x.get("state") == "raised"]
    extra = set(devs) - {dev_id(p["mac"]) for p in PEERS}
    if extra:
        problems.append(f"unexpected devices: {', '.join(sorted(extra))}")
    for p in PEERS:
        i = dev_id(p["mac"])
        mine = [x for x in raised if x.get("device") == i]
        got = [l for l in lines if "alert=raised" in l and f" device={i} " in l]
        want = 1 if p["alert"] else 0
        what = f"{p['name']} ({p['vendor']} in {p['segment']})"
        if len(mine) != want:
            problems.append(f"{what}: {len(mine)} open alerts, expected {want}")
        if len(got) != want:
            problems.append(f"{what}: {len(got)} alert=raised syslog lines, expected {want}")
        if want and got and f"vendor={p['vendor']} " not in got[0]:
            problems.append(f"{what}: syslog line names another vendor: {got[0]}")
        if bool(devs[i].get("violation")) != p["alert"]:
            problems.append(f"{what}: violation={devs[i].get('violation')}")
    others = [x for x in raised if x.get("device") not in {dev_id(p["mac"]) for p in PEERS}]
    if others:
        problems.append(f"other open alerts: {json.dumps(others)}")
    stray = [l for l in lines if "alert=raised" not in l]
    if stray:
        problems.append(f"other syslog lines: {stray}")

    print("\n=== verdict", flush=True)
    for p in PEERS:
        print(f"  {p['name']:7} {p['vendor']:10} {p['segment']:5} "
              f"{'alert raised (expected)' if p['alert'] else 'no alert (expected)'}", flush=True)
    if problems:
        for m in problems:
            print(f"  FAIL: {m}", flush=True)
        log("lab: the daemon's log (end):\n" + daemon.log_text()[-3000:])
        return 1
    check_stop = daemon.stop()
    if check_stop != 0:
        print(f"  FAIL: vendorwatchd exited with {check_stop} on SIGTERM", flush=True)
        log("lab: the daemon's log (end):\n" + daemon.log_text()[-6000:])
        return 1
    print("  OK: exactly the expected alerts", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
