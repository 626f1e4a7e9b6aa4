#!/usr/bin/env python3
"""The systemd protocol, without systemd as PID 1.

- sd_notify: READY=1 after start, WATCHDOG=1 pings at about half of
  WATCHDOG_USEC (never a gap the watchdog would punish), RELOADING=1 then
  READY=1 around SIGHUP, STOPPING=1 on SIGTERM and a clean exit;
- socket activation: under `systemd-socket-activate` (LISTEN_FDS/LISTEN_PID)
  the daemon serves the socket it was handed, not the configured path, and
  leaves that socket in place when it stops (it belongs to the socket unit).
"""
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import vwtest  # noqa: E402

WATCHDOG_USEC = 2_000_000
WINDOW = 8.0


def collect(notify, seconds):
    """Every datagram for `seconds`, with its arrival time."""
    out = []
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return out
        notify.sock.settimeout(left)
        try:
            data = notify.sock.recv(4096)
        except socket.timeout:
            continue
        out.append((time.monotonic(), data.decode(errors="replace")))


def test_notify():
    d = vwtest.Daemon(env={"WATCHDOG_USEC": str(WATCHDOG_USEC)})
    d.start()  # waits for READY=1
    vwtest.check(True, "READY=1 after start-up")
    # Anything already queued (STATUS=, early pings) is old news.
    d.notify.messages.clear()

    got = collect(d.notify, WINDOW)
    pings = [t for t, m in got if "WATCHDOG=1" in m.split("\n")]
    period = WATCHDOG_USEC / 1e6
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    print(f"watchdog: {len(pings)} pings in {WINDOW:.0f}s with WATCHDOG_USEC={WATCHDOG_USEC}; "
          f"gaps {', '.join(f'{g:.2f}' for g in gaps)}", flush=True)
    # sd-event pings between a half and three quarters of the period after
    # the last one: 5..16 pings in 8 s; leave a loaded CI machine slack.
    vwtest.check(WINDOW / period <= len(pings) <= 4 * WINDOW / period + 2,
                 f"{len(pings)} watchdog pings in {WINDOW:.0f}s (about one per {period / 2:.1f}s)")
    vwtest.check(gaps and max(gaps) < period,
                 f"no gap between pings reaches WATCHDOG_USEC (longest {max(gaps or [0]):.2f}s)")

    d.send_signal(signal.SIGHUP)
    m = d.notify.wait("RELOADING=1")
    vwtest.check("READY=1" not in m.split("\n"), "RELOADING=1 on SIGHUP")
    d.notify.wait("READY=1")
    vwtest.check(True, "READY=1 after the reload")
    vwtest.check(d.proc.poll() is None, "daemon still running after SIGHUP")
    st = d.ctl("status")
    vwtest.check(st and st.get("ok"), "status answers after the reload")

    d.send_signal(signal.SIGTERM)
    d.notify.wait("STOPPING=1")
    vwtest.check(True, "STOPPING=1 on SIGTERM")
    rc = d.proc.wait(30)
    d.logf.close()
    vwtest.check(rc == 0, f"clean exit after SIGTERM (status {rc})")


def test_socket_activation():
    vwtest.need_prog("systemd-socket-activate")
    d = vwtest.Daemon()
    activated = os.path.join(d.dir, "activated.sock")
    d.prefix = ["systemd-socket-activate", "-l", activated, "-E", "NOTIFY_SOCKET"]
    # Like a socket unit, systemd-socket-activate starts the daemon when the
    # first client connects; that client must get its answer.
    d.start(wait=False)
    vwtest.wait_for(lambda: os.path.exists(activated), what="the activation socket")
    # The configured control.socket is another path: an answer on the
    # activated one proves the daemon took the socket it was handed.
    d.sock = activated
    st = d.ctl("status")
    vwtest.check(st and st.get("ok"),
                 "the first vendorwatchctl --socket <activated socket> status starts "
                 "the daemon and gets its answer")
    d.notify.wait("READY=1")
    vwtest.check(True, "READY=1 under systemd-socket-activate")
    st = d.ctl("status")
    vwtest.check(st and st.get("ok"), "and it keeps answering there")
    rc = d.stop()
    vwtest.check(rc == 0, f"clean exit (status {rc})")
    vwtest.check(os.path.exists(activated),
                 "the activated socket stays in place after the daemon stops")


def main():
    vwtest.need_prog(vwtest.VWD, vwtest.VWCTL)
    test_notify()
    test_socket_activation()


if __name__ == "__main__":
    main()
