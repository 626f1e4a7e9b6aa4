"""Shared helpers for vendorwatch's integration tests.

The tests drive the real binaries from the build tree and real peers (lldpd,
snmpd, rsyslog, dnsmasq) inside network namespaces they make themselves.
Readiness comes from sd_notify (READY=1) and from the daemon's own answers;
`wait_for` polls a condition with a deadline, never sleeps blindly.
"""
import atexit
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("VW_BUILD_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "build"))
SOURCE = os.environ.get("VW_SOURCE_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
VWD = os.path.join(BUILD, "daemon", "vendorwatchd")
VWCTL = os.path.join(BUILD, "daemon", "vendorwatchctl")
PLUGIN_DIR = os.path.join(BUILD, "plugins")
IN_CI = os.environ.get("CI") == "true"

# Segments core (10.0.0.0/24) and edge (10.1.0.0/24) by address, with the
# shipped policy's rules for huawei, zte and hikvision.
CORE_EDGE_POLICY = """
segments = (
        { name = "core"; role = "core"; prefixes = [ "10.0.0.0/24" ]; },
        { name = "edge"; role = "edge"; prefixes = [ "10.1.0.0/24" ]; }
);
policy = {
        restricted = (
                { vendor = "huawei"; roles = [ "core" ]; severity = "crit"; },
                { vendor = "zte"; roles = [ "core" ]; severity = "crit"; },
                { vendor = "hikvision"; roles = [ "core", "edge" ]; severity = "err"; }
        );
};
"""

_cleanups = []
_uniq = itertools.count()


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def skip(reason):
    """Skip (exit 77); in CI a test that cannot run is a failure."""
    if IN_CI:
        log("FAIL (would skip, but CI=true): " + reason)
        sys.exit(1)
    log("SKIP: " + reason)
    sys.exit(77)


def fail(msg):
    log("FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    log("ok - " + msg)


def need_root():
    if os.geteuid() != 0:
        skip("needs root (network namespaces)")


def need_prog(*names):
    for n in names:
        if shutil.which(n) is None and not os.path.exists(n):
            skip(f"needs {n}")


def unique(prefix):
    """A short name unique to this test process (interface names <= 15)."""
    return f"{prefix}{os.getpid() % 100000}{next(_uniq)}"[:15]


def at_exit(fn):
    _cleanups.append(fn)


def _run_cleanups():
    while _cleanups:
        fn = _cleanups.pop()
        try:
            fn()
        except Exception as e:  # cleanup must go on
            log(f"cleanup: {e}")


atexit.register(_run_cleanups)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))


def tmpdir():
    d = tempfile.mkdtemp(prefix="vwtest-")
    os.chmod(d, 0o755)
    at_exit(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def sh(*cmd, check=True, ns=None, **kw):
    if ns:
        cmd = ("ip", "netns", "exec", ns) + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def wait_for(pred, timeout=30.0, what="condition", interval=0.05):
    """Poll pred() until it returns a truthy value; fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            fail(f"timed out waiting for {what}")
        time.sleep(interval)


class Netns:
    """A network namespace removed at exit."""

    def __init__(self, prefix="vw"):
        self.name = unique(prefix)
        sh("ip", "netns", "add", self.name)
        at_exit(lambda: sh("ip", "netns", "del", self.name, check=False))
        sh("ip", "link", "set", "lo", "up", ns=self.name)

    def run(self, *cmd, check=True, **kw):
        return sh(*cmd, check=check, ns=self.name, **kw)

    def popen(self, *cmd, **kw):
        p = subprocess.Popen(("ip", "netns", "exec", self.name) + cmd, **kw)
        at_exit(lambda: _stop(p))
        return p


def veth(ns_a, ns_b, mac_a=None, mac_b=None):
    """A veth pair between two namespaces (None = this one); returns names."""
    a, b = unique("va"), unique("vb")
    sh("ip", "link", "add", a, "type", "veth", "peer", "name", b)
    at_exit(lambda: sh("ip", "link", "del", a, check=False))
    for name, ns, mac in ((a, ns_a, mac_a), (b, ns_b, mac_b)):
        if ns is not None:
            sh("ip", "link", "set", name, "netns", ns.name)
        run = ns.run if ns is not None else (lambda *c, **k: sh(*c, **k))
        if mac:
            run("ip", "link", "set", name, "address", mac)
        run("ip", "link", "set", name, "up")
    return a, b


def _stop(p, sig=signal.SIGTERM, timeout=10):
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class Notify:
    """A NOTIFY_SOCKET the test reads (sd_notify datagrams)."""

    def __init__(self, d, name="notify.sock"):
        """Bound at d/name (one per peer: snmpd and lldpd speak sd_notify too)."""
        self.path = os.path.join(d, name)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages = []

    def wait(self, key, timeout=60.0):
        """Wait for a datagram containing the line `key` (e.g. "READY=1")."""
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self.messages):
                if key in m.split("\n"):
                    del self.messages[: i + 1]
                    return m
            left = deadline - time.monotonic()
            if left <= 0:
                fail(f"no {key} from the daemon within {timeout}s")
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            self.messages.append(data.decode(errors="replace"))


class Daemon:
    """vendorwatchd from the build tree, with its own socket, store and notify socket."""

    def __init__(self, config_body="", d=None, extra_args=(), env=None, ns=None, prefix=None):
        self.dir = d or tmpdir()
        self.sock = os.path.join(self.dir, "vw.sock")
        self.conf = os.path.join(self.dir, "vendorwatch.conf")
        self.log_path = os.path.join(self.dir, "daemon.log")
        self.write_config(config_body)
        self.extra_args = list(extra_args)
        self.env = env or {}
        self.ns = ns
        self.prefix = list(prefix or [])
        self.proc = None

    def write_config(self, body, path=None):
        base = (f'control = {{ socket = "{self.sock}"; }};\n'
                f'store = {{ path = "{os.path.join(self.dir, "inventory.db")}"; }};\n'
                f'plugin_dir = "{PLUGIN_DIR}";\n')
        with open(path or self.conf, "w") as f:
            f.write(base + body)

    def start(self, wait=True):
        self.notify = Notify(self.dir) if not hasattr(self, "notify") else self.notify
        env = dict(os.environ, NOTIFY_SOCKET=self.notify.path, **self.env)
        # VW_DAEMON_WRAPPER runs the daemon under a tool, e.g. valgrind
        # (tests/valgrind-suite.sh); its report lands in the daemon's log.
        wrapper = os.environ.get("VW_DAEMON_WRAPPER", "").split()
        cmd = self.prefix + wrapper + [VWD, "-f", "-d", "--config", self.conf] + self.extra_args
        if self.ns:
            cmd = ["ip", "netns", "exec", self.ns.name] + cmd
        self.logf = open(self.log_path, "a")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.logf, stderr=subprocess.STDOUT)
        at_exit(lambda: _stop(self.proc))
        if wait:
            self.notify.wait("READY=1")
        return self

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def ctl(self, *args, json_out=True, check=True):
        cmd = [VWCTL, "--socket", self.sock] + (["--json"] if json_out else []) + list(args)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            fail(f"vendorwatchctl {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
        if json_out and r.returncode == 0:
            out = r.stdout.strip()
            if not out:
                return None
            try:
                return json.loads(out)
            except json.JSONDecodeError:
                return [json.loads(l) for l in out.splitlines() if l.strip()]
        return r

    def devices(self, *filters):
        r = self.ctl("devices", *filters)
        if r is None:
            return []
        return r if isinstance(r, list) else r.get("devices", [r])

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        self.proc.send_signal(sig)
        rc = self.proc.wait(timeout)
        self.logf.close()
        return rc


def rss_kib(pid):
    """The resident set of a process, KiB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def huawei_observation(n, addr):
    """A Huawei VRP box: chassis 00:e0:fc:00:00:<n>, one management address."""
    return {"chassis_id": f"00:e0:fc:00:00:{n:02x}", "chassis_subtype": "mac", "sys_name": f"hw-{n}",
            "sys_descr": "Huawei Versatile Routing Platform Software, VRP (R) software, Version 8.180",
            "addresses": [addr], "port_id": "10GE1/0/1"}


def sanitized(pid):
    """True when the process runs with AddressSanitizer, whose quarantine
    keeps freed memory resident: RSS bounds mean nothing there."""
    with open(f"/proc/{pid}/maps") as f:
        return "libasan" in f.read()


def private_dev_log(d, sock):
    """A wrapper that gives the daemon a private /dev whose log is `sock`."""
    wrap = os.path.join(d, "private-dev-log.sh")
    with open(wrap, "w") as f:
        f.write(f'''#!/bin/sh
set -e
mount --make-rprivate /
mkdir -p "{d}/realdev"
mount --rbind /dev "{d}/realdev"
mount -t tmpfs -o mode=755 tmpfs /dev
for n in null zero full random urandom tty ptmx; do
        touch "/dev/$n"; mount --bind "{d}/realdev/$n" "/dev/$n"
done
mkdir /dev/pts /dev/shm
mount --rbind "{d}/realdev/pts" /dev/pts
mount --rbind "{d}/realdev/shm" /dev/shm
ln -s /proc/self/fd /dev/fd
ln -s "{sock}" /dev/log
exec "$@"
''')
    os.chmod(wrap, 0o755)
    return wrap
