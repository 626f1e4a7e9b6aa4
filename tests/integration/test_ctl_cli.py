#!/usr/bin/env python3
"""vendorwatchctl against the real daemon: tables that fit 80 columns with
long values cut by an ellipsis (and shown whole by `device ID`), values from
the network that cannot reach the terminal as control sequences, --json as
the daemon's JSON, colour only on a terminal, and the exit codes 1, 2 and 3
with messages that say what went wrong."""
import fcntl
import json
import os
import pty
import shutil
import socket
import struct
import subprocess
import sys
import termios

sys.path.insert(0, os.path.dirname(__file__))
import vwtest  # noqa: E402
from vwtest import VWCTL, check, fail, log  # noqa: E402

HUAWEI = "mac:00e0fc123456"
LONG_NAME = "edge-camera-entrance-north-building-7-floor-3.cams.example.net"
OBSERVATIONS = [
    {"chassis_id": "00:e0:fc:12:34:56", "chassis_subtype": "mac", "sys_name": "core-sw1",
     "sys_descr": "Huawei Versatile Routing Platform Software\r\nVRP (R) software, Version 8.180 "
                  "(CE6850EI V200R005C10SPC800)",
     "sys_object_id": "1.3.6.1.4.1.2011.2.239.12", "macs": ["00:e0:fc:12:34:56"],
     "addresses": ["10.0.0.1"], "ttl": 120},
    {"chassis_id": "00:1b:54:aa:bb:01", "chassis_subtype": "mac", "sys_name": "core-rtr1",
     "sys_descr": "Cisco IOS Software, C2900 Software (C2900-UNIVERSALK9-M), Version 15.2(4)M3",
     "sys_object_id": "1.3.6.1.4.1.9.1.1046", "addresses": ["10.0.0.2"], "ttl": 120},
    # a name too long for any column, carrying a terminal escape sequence
    {"chassis_id": "c0:56:e3:00:00:01", "chassis_subtype": "mac",
     "sys_name": "\u001b[2J" + LONG_NAME, "sys_descr": "DS-2CD2143G0-I",
     "macs": ["c0:56:e3:00:00:01"], "addresses": ["10.9.0.7"], "ttl": 120},
]


def run(*args, env=None, user=None, binary=VWCTL):
    cmd = [binary] + list(args)
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + cmd
    e = dict(os.environ)
    e.pop("VENDORWATCH_SOCKET", None)
    e.update(env or {})
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=e)


def on_terminal(*args, env=None):
    """Run with a pseudo-terminal (80 columns) as stdout; return its output."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e["TERM"] = "xterm"
    e.update(env or {})
    p = subprocess.Popen([VWCTL] + list(args), stdout=slave, stderr=subprocess.PIPE, env=e)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO once the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    p.wait(60)
    if p.returncode != 0:
        fail(f"vendorwatchctl {' '.join(args)} on a terminal: exit {p.returncode}")
    return out.decode()


def main():
    vwtest.need_prog(VWCTL, vwtest.VWD)
    d = vwtest.Daemon()
    feed = os.path.join(d.dir, "feed.jsonl")
    with open(feed, "w") as f:
        for o in OBSERVATIONS:
            f.write(json.dumps(o) + "\n")
    d.write_config(f'plugins = ( {{ name = "jsonl"; path = "{feed}"; }} );\n')
    d.start()
    sock = ["--socket", d.sock]

    devices = vwtest.wait_for(lambda: len(d.devices()) >= 3 and d.devices(), what="three devices")
    ids = {x["id"] for x in devices}
    check(HUAWEI in ids, f"--json devices is an array of device objects ({sorted(ids)})")
    cam = next(x for x in devices if LONG_NAME in (x.get("sys_name") or ""))

    # --- tables for people
    r = run(*sock, "devices")
    check(r.returncode == 0, "devices exits 0")
    lines = r.stdout.rstrip("\n").split("\n")
    check(lines[0].split()[:3] == ["ID", "NAME", "VENDOR"], "the devices table has a header")
    check(all(len(line) <= 80 for line in lines), "every line of the table fits 80 columns")
    check("\x1b" not in r.stdout, "no escape sequence reaches the output (not a terminal, and sanitized)")
    check(LONG_NAME not in r.stdout and "…" in r.stdout, "a long name is cut with an ellipsis")
    row = next((line for line in lines if line.startswith(HUAWEI)), None)
    check(row is not None and "core-sw1" in row, "the Huawei switch has a row with its full ID and name")
    starts = {line.index(HUAWEI[:4]) for line in lines[1:] if line.startswith("mac:")}
    check(starts == {0}, "rows are aligned")
    check(lines[-1].startswith("3 devices"), "the table ends with a count")

    r = run(*sock, "device", cam["id"])
    check(r.returncode == 0, "device ID exits 0")
    check(LONG_NAME in r.stdout, "device ID shows the long name in full")
    check("\x1b" not in r.stdout and "?[2J" in r.stdout, "the escape character is shown as '?'")
    for label in ("Vendor", "Role", "Policy", "First seen", "Last seen", "Addresses", "Observations"):
        check(label in r.stdout, f"device ID shows {label}")

    r = run(*sock, "status")
    check(r.returncode == 0 and "vendorwatchd" in r.stdout and "jsonl" in r.stdout,
          "status names the daemon and its plugins")

    # --- JSON for scripts
    st = d.ctl("status")
    check(isinstance(st, dict) and st.get("version") == 1 and "daemon_version" in st,
          "--json status prints the daemon's object")
    dev = d.ctl("device", HUAWEI)
    check(dev.get("device", {}).get("id") == HUAWEI, "--json device ID prints the daemon's reply")
    r = run(*sock, "devices", "--kind", "network", "--json")
    check(r.returncode == 0 and isinstance(json.loads(r.stdout), list),
          "--json after the command, with a filter, prints one JSON array")
    r = run(*sock, "--json", "devices", "--state", "absent")
    check(r.returncode == 0 and json.loads(r.stdout) == [], "an empty stream prints []")

    # --- colour only on a terminal, NO_COLOR respected
    out = on_terminal(*sock, "devices")
    check("\x1b[1m" in out, "on a terminal the header is bold")
    out = on_terminal(*sock, "devices", env={"NO_COLOR": "1"})
    check("\x1b[" not in out, "NO_COLOR turns colour off")
    out = on_terminal(*sock, "--no-color", "devices")
    check("\x1b[" not in out, "--no-color turns colour off")
    if any(x.get("violation") for x in d.devices()):
        out = on_terminal(*sock, "devices")
        check("\x1b[31m" in out or "\x1b[1;31m" in out, "a violation is shown in red on a terminal")

    # --- exit 1: the daemon's error on stderr
    r = run(*sock, "device", "mac:000000000000")
    check(r.returncode == 1, f"an error reply exits 1 (got {r.returncode})")
    check("no device" in r.stderr and r.stdout == "", f"the daemon's error is printed on stderr: {r.stderr.strip()}")

    # --- exit 2: usage
    for args, words in ((["bogus"], "unknown command"),
                        (["devices", "--kind", "router"], "not one of"),
                        (["devices", "--frobnicate"], "unknown option"),
                        (["device"], "missing"),
                        (["forget", "a", "b"], "unexpected argument"),
                        (["waive", HUAWEI, "--until", "2025-02-30", "--reason", "x"], "YYYY-MM-DD"),
                        (["waive", HUAWEI, "--until", "2025-02-28"], "--reason is required"),
                        (["identify"], "at least one option"),
                        ([], "no command")):
        r = run(*sock, *args)
        check(r.returncode == 2 and words in r.stderr,
              f"usage error {args} exits 2 and says '{words}' ({r.returncode}: {r.stderr.strip()!r})")
    r = run("devices", "--help")
    check(r.returncode == 0 and "--vendor" in r.stdout and "--restricted" in r.stdout,
          "devices --help lists its options and exits 0")
    r = run("--help")
    check(r.returncode == 0 and all(c in r.stdout for c in ("topology", "report", "waive")),
          "--help lists the commands")

    # --- exit 3: cannot connect, with the socket path and the likely cause
    missing = os.path.join(d.dir, "missing.sock")
    r = run("--socket", missing, "status")
    check(r.returncode == 3 and missing in r.stderr and "down" in r.stderr,
          f"no socket: exit 3, names the path, says the daemon seems down ({r.stderr.strip()})")
    r = run("status", env={"VENDORWATCH_SOCKET": missing})
    check(r.returncode == 3 and missing in r.stderr, "$VENDORWATCH_SOCKET is used")
    deaf = os.path.join(d.dir, "deaf.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(deaf)  # bound, never listening: ECONNREFUSED
    r = run("--socket", deaf, "status")
    check(r.returncode == 3 and deaf in r.stderr and "down" in r.stderr,
          f"nobody listening: exit 3, says the daemon seems down ({r.stderr.strip()})")
    s.close()
    if os.geteuid() == 0 and shutil.which("setpriv"):
        # the daemon's socket is 0660 root:root; nobody may not connect
        ctl = os.path.join(d.dir, "vendorwatchctl")
        shutil.copy(VWCTL, ctl)
        os.chmod(ctl, 0o755)
        r = run("--socket", d.sock, "status", user=65534, binary=ctl)
        check(r.returncode == 3 and d.sock in r.stderr and "permission" in r.stderr,
              f"no permission: exit 3, says permission is missing ({r.stderr.strip()})")
    else:
        log("not root: the permission case is not checked")

    check(d.stop() == 0, "the daemon stops cleanly")


if __name__ == "__main__":
    main()
