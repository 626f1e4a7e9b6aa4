#!/usr/bin/env python3
"""Control socket abuse: 1,000 clients of one uid connecting at once,
malformed JSON, oversized requests, clients that send one byte and stall,
clients that never read a large reply, a client that pipelines requests
without reading, and a non-admin uid asking for admin commands.  The
daemon refuses what it should, root and other uids are served throughout,
and once the abusers are gone it holds exactly the fds it held before.

Abusers run in forked children as unprivileged uids (the socket's group is
nogroup so they may connect); the legitimate client is root."""
import json
import os
import resource
import select
import socket
import time

import vwtest
from vwtest import check

vwtest.need_root()

ABUSER_UID = 65534          # nobody
OTHER_UID = 65533           # a second unprivileged uid: must not be starved
GID = 65534                 # nogroup
PER_UID = 64
IDLE = 2
N_DEVICES = 3000
N_FLOOD = 1000

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = min(hard, 8192)
if want < N_FLOOD + 200:
    vwtest.skip(f"RLIMIT_NOFILE hard limit {hard} is below {N_FLOOD + 200}")
resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

d = vwtest.Daemon()
feed = os.path.join(d.dir, "feed")
os.mkfifo(feed)
with open(d.conf, "w") as f:
    f.write(f'control = {{ socket = "{d.sock}"; group = "nogroup"; max_clients = 256;\n'
            f'            max_clients_per_uid = {PER_UID}; idle_timeout_sec = {IDLE}; }};\n'
            f'store = {{ path = "{os.path.join(d.dir, "inventory.db")}"; }};\n'
            f'plugin_dir = "{vwtest.PLUGIN_DIR}";\n'
            f'plugins = ( {{ name = "jsonl"; path = "{feed}"; }} );\n')
d.start()
pid = d.proc.pid


def n_fds():
    return len(os.listdir(f"/proc/{pid}/fd"))



def rss_kib():
    return vwtest.rss_kib(pid)


def status():
    """The legitimate client: root, through the real vendorwatchctl."""
    st = d.ctl("status")
    check(st and st.get("ok", True) is not False and st["pid"] == pid, "root's status answers")
    return st


def connect(timeout=10):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    deadline = time.monotonic() + timeout
    while True:
        try:
            s.connect(d.sock)
            return s
        except BlockingIOError:     # the listen backlog is full: the daemon is busy accepting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.001)


def request(s, obj_or_bytes):
    s.sendall(obj_or_bytes if isinstance(obj_or_bytes, bytes) else (json.dumps(obj_or_bytes) + "\n").encode())
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return json.loads(buf.split(b"\n")[0]) if buf else None


class Child:
    """Run fn(report) as `uid` in a forked child.  fn reports results with
    report(obj); what it returns (its sockets) is held open until the parent
    calls release()."""

    def __init__(self, uid, fn):
        self.r_up, self.w_up = os.pipe()
        self.r_down, self.w_down = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            code = 1
            try:
                os.close(self.r_up)
                os.close(self.w_down)
                os.setgroups([])
                os.setgid(GID)
                os.setuid(uid)
                up = os.fdopen(self.w_up, "w", buffering=1)
                keep = fn(lambda o: up.write(json.dumps(o) + "\n"))
                up.write(json.dumps({"done": True}) + "\n")
                os.read(self.r_down, 1)     # hold everything open until released
                del keep
                code = 0
            except BaseException as e:      # report, never run the parent's cleanups
                try:
                    os.write(self.w_up, (json.dumps({"error": repr(e)}) + "\n").encode())
                except OSError:
                    pass
            os._exit(code)
        os.close(self.w_up)
        os.close(self.r_down)
        self.up = os.fdopen(self.r_up, "rb", buffering=0)    # unbuffered: select() sees every line
        vwtest.at_exit(self.kill)

    def results(self, timeout=60):
        """Everything reported up to "done"."""
        out = []
        deadline = time.monotonic() + timeout
        while True:
            if not select.select([self.up], [], [], max(0, deadline - time.monotonic()))[0]:
                vwtest.fail("abuser child did not report in time")
            line = self.up.readline()
            if not line:
                vwtest.fail("abuser child died")
            o = json.loads(line)
            if "error" in o:
                vwtest.fail(f"abuser child: {o['error']}")
            if o.get("done"):
                return out
            out.append(o)

    def release(self):
        os.write(self.w_down, b"x")
        _, st = os.waitpid(self.pid, 0)
        self.pid = None
        check(os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0, "abuser child finished cleanly")

    def kill(self):
        if self.pid:
            try:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
            except OSError:
                pass


# ---- a few thousand devices, so that a `devices` reply is megabytes ----
with open(feed, "w") as fifo:
    for i in range(N_DEVICES):
        fifo.write(json.dumps({"chassis_id": "00:e0:fc:%02x:%02x:%02x" % (i >> 16 & 255, i >> 8 & 255, i & 255),
                               "chassis_subtype": "mac", "sys_name": f"sw-{i}", "port_id": "GE0/0/1",
                               "sys_descr": "Huawei Versatile Routing Platform Software " + "x" * 200}) + "\n")
    fifo.flush()
    vwtest.wait_for(lambda: d.ctl("status")["devices"] == N_DEVICES, what=f"{N_DEVICES} devices imported")
    st = status()
    fds_before = n_fds()
    rss_before = rss_kib()
    vwtest.log(f"daemon: {fds_before} fds, {rss_before} KiB before the abuse")

    # ---- 1,000 clients of one uid at once ----
    def flood(report):
        socks = []
        for _ in range(N_FLOOD):
            socks.append(connect())
        refused = 0
        pending = {s.fileno(): s for s in socks}
        poller = select.poll()      # select() stops at fd 1023
        for fd in pending:
            poller.register(fd, select.POLLIN)
        deadline = time.monotonic() + 30
        # the refused ones get one line and EOF; the accepted ones stay silent
        while pending and time.monotonic() < deadline and refused < N_FLOOD - PER_UID:
            for fd, _ in poller.poll(1000):
                data = pending.pop(fd).recv(4096)
                poller.unregister(fd)
                if b"too many clients" in data:
                    refused += 1
        pending = list(pending.values())
        accepted_open = len(pending)
        report({"refused": refused, "open": accepted_open})
        # an accepted connection of this uid is served
        served = request(pending[0], {"command": "status"}) if pending else None
        report({"served": bool(served and served.get("ok"))})
        return socks

    c = Child(ABUSER_UID, flood)
    res = c.results()
    check(res[0]["refused"] == N_FLOOD - PER_UID and res[0]["open"] == PER_UID,
          f"1,000 clients of one uid: {PER_UID} accepted, {N_FLOOD - PER_UID} refused with \"too many clients\"")
    check(res[1]["served"], "an accepted client of the flooding uid is still served")
    st = status()
    check(st["clients"] >= PER_UID, f"status counts the flood's open clients ({st['clients']})")

    def other(report):
        s = connect()
        r = request(s, {"command": "status"})
        report({"ok": bool(r and r.get("ok"))})
        return s

    o = Child(OTHER_UID, other)
    check(o.results()[0]["ok"], "another unprivileged uid is served while the first is at its cap")
    o.release()
    c.release()
    check(status()["devices"] == N_DEVICES, "status after the flood")

    # ---- malformed JSON, oversized requests, a non-admin asking for admin commands ----
    def bad_requests(report):
        s = connect()
        out = {}
        for name, payload in (("garbage", b"\x00\xff{{{\n"), ("half", b'{"command": "sta\n'),
                              ("array", b"[1,2,3]\n"), ("nested", b"[" * 5000 + b"\n"),
                              ("no-command", b'{"cmd": "status"}\n'), ("two", b'{"command":"status"}{"x":1}\n')):
            r = request(s, payload)
            out[name] = r.get("error", "") if r and r.get("ok") is False else "ACCEPTED"
        r = request(s, {"command": "status"})
        out["after"] = bool(r and r.get("ok"))
        for cmd in ({"command": "reload"}, {"command": "forget", "id": "mac:00e0fc000001"}, {"command": "rescan"}):
            r = request(s, cmd)
            out[cmd["command"]] = r.get("error", "ACCEPTED") if r else "EOF"
        def oversized(payload):
            """Send until the daemon hangs up; the reply line must still arrive."""
            c = connect()
            try:
                c.sendall(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass
            data = b""
            try:
                while True:
                    chunk = c.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except ConnectionResetError:
                pass
            return c, data.decode(errors="replace")

        big, out["big"] = oversized(b'{"command":"status","pad":"' + b"x" * (70 * 1024) + b'"}\n')
        huge, out["huge"] = oversized(b"y" * (1 << 20))     # 1 MiB, no newline
        report(out)
        return s, big, huge

    c = Child(ABUSER_UID, bad_requests)
    out = c.results()[0]
    for name in ("garbage", "half", "array", "nested", "no-command", "two"):
        check(out[name] and out[name] != "ACCEPTED", f"malformed request ({name}) gets an error reply: {out[name][:60]}")
    check(out["after"], "the same connection is still served after malformed requests")
    for cmd in ("reload", "forget", "rescan"):
        check(out[cmd].startswith("permission denied"), f"non-admin uid: {cmd} → permission denied")
    check("too large" in out["big"], "a request over 64 KiB gets \"request too large\" and the connection is closed")
    check("too large" in out["huge"], "1 MiB without a newline: the same, the daemon stops reading at the limit")
    status()
    c.release()
    check(status()["devices"] == N_DEVICES, "forget as non-admin removed nothing")

    # ---- one byte and stall; a large reply never read; requests pipelined and never read ----
    def stallers(report):
        t0 = time.monotonic()
        stall = [connect(timeout=IDLE * 10) for _ in range(20)]
        for s in stall:
            s.send(b"{")
        readers = [connect(timeout=IDLE * 10) for _ in range(20)]
        for s in readers:
            s.sendall(b'{"command":"devices"}\n')     # megabytes of reply, never read
        piper = connect(timeout=IDLE * 10)
        report({"started": True})
        # the pipeliner: status requests without ever reading a reply
        sent, cut = 0, "no"
        chunk = b'{"command":"status"}\n' * 2048
        try:
            while sent < (8 << 20):
                piper.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            cut = "reset"
        except socket.timeout:
            cut = "timeout"
        report({"piper_sent": sent, "piper_cut": cut})
        # the stallers are dropped after the idle timeout: EOF (or a reset)
        dropped = 0
        for s in stall + readers:
            try:
                while True:
                    data = s.recv(1 << 20)
                    if not data:
                        break
                dropped += 1
            except ConnectionResetError:
                dropped += 1
            except socket.timeout:
                pass
        report({"dropped": dropped, "elapsed": time.monotonic() - t0})
        return stall, readers, piper

    c = Child(ABUSER_UID, stallers)
    # while they stall: root is served, a full `devices` stream included
    up = c.up
    first = json.loads(up.readline())
    check(first.get("started"), "stallers connected")
    st = status()
    full = d.devices()
    check(len(full) == N_DEVICES, f"a reading client gets the whole {N_DEVICES}-device stream while 20 others do not read")
    res = c.results(timeout=120)
    piper, dropped = res[0], res[1]
    check(piper["piper_cut"] in ("reset", "timeout") and piper["piper_sent"] < (8 << 20),
          f"a client pipelining requests without reading is cut off ({piper['piper_sent'] >> 10} KiB sent, {piper['piper_cut']})")
    check(dropped["dropped"] == 40, f"20 one-byte stallers and 20 non-readers dropped after the {IDLE} s idle timeout")
    grew = rss_kib() - rss_before
    vwtest.log(f"daemon RSS grew by {grew} KiB during the abuse")
    if vwtest.sanitized(pid):   # the cut-off above is the proof there
        vwtest.log("ASan build: RSS growth not asserted")
    else:
        check(grew < 64 * 1024, "daemon memory stayed bounded (< 64 MiB growth)")
    status()
    c.release()

# ---- `sync` answers later (once the store's writer has committed): clients
# that leave before the answer, and one that pipelines sync and status ----
for _ in range(20):
    s = connect()
    s.sendall(b'{"command":"sync"}\n{"command":"status"}\n')
    s.close()                                   # gone before either answer
s = connect()
s.sendall(b'{"command":"sync"}\n{"command":"status"}\n')
buf = b""
while buf.count(b"\n") < 2:
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
s.close()
answers = [json.loads(x) for x in buf.split(b"\n")[:2] if x]
check(len(answers) == 2 and "committed" in answers[0] and "devices" in answers[1],
      "a deferred sync answers first, then the request sent after it")
status()

# ---- afterwards: no fd leak ----
vwtest.wait_for(lambda: d.ctl("status")["clients"] <= 1, what="every abuser gone")
# (fewer is fine: a transient fd -- a store transaction, a notify socket --
# may have been open when the "before" count was taken)
after = vwtest.wait_for(lambda: (lambda n: n if n <= fds_before else None)(n_fds()), timeout=10,
                        what=f"the daemon's fd count back to {fds_before} (now {n_fds()})")
check(after <= fds_before, f"no fd leak: {fds_before} fds before, {after} after")
check(d.proc.poll() is None, "daemon still running")
check(d.stop() == 0, "clean exit")
