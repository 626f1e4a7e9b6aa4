#!/usr/bin/env python3
"""50 live SNMP agents and one that never answers: the silent one must not
delay the others.  Asserted by order, not by time: every live agent is in the
inventory before the silent target's first request timeout fires (status
`last_cycle_ok_before_first_timeout`, and the order of the debug log).  Then
the rediscovery timer polls everything again without being asked.

One real snmpd (v2c) listens on 127.0.1.1-49 and [::1] of a namespace that
has only its loopback (so the agents share no MAC and stay 50 devices);
127.0.1.51 is a UDP socket that reads and never answers.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import snmppeers as sp  # noqa: E402
import vwtest  # noqa: E402
from vwtest import check  # noqa: E402

LIVE = 50
TIMEOUT_MS = 1500

sp.need_peers()
d = vwtest.tmpdir()
ns = vwtest.Netns("vwsm")
# one of the live agents speaks over IPv6
live = [f"127.0.1.{i}" for i in range(1, LIVE)] + ["::1"]
silent = f"127.0.1.{LIVE + 1}"

sp.start_snmpd(ns, d, "many", [f"udp6:[{a}]:161" if ":" in a else f"udp:{a}:161" for a in live], sp.HUAWEI_DESCR, sp.HUAWEI_OID, "hw-edge",
               community="c0mmunity")
blackhole = ns.popen(sys.executable, "-c",
                     "import socket, sys\n"
                     "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                     f"s.bind(('{silent}', 161))\n"
                     "print('bound', flush=True)\n"
                     "while True: s.recv(65536)\n",
                     stdout=subprocess.PIPE, text=True)
check(blackhole.stdout.readline().strip() == "bound", f"a silent UDP agent listens on {silent}:161")

def config(interval, backoff):
    return f'''
plugins = ( {{ name = "snmp"; timeout_ms = {TIMEOUT_MS}; retries = 1; interval_sec = {interval};
              backoff_initial_sec = {backoff}; backoff_max_sec = {2 * backoff}; persistent_dir = "{d}/vw-snmp";
              groups = ( {{ name = "edge"; version = "2c"; community = "c0mmunity";
                            seeds = [ {", ".join(f'"{a}"' for a in live + [silent])} ]; }} ); }} );
'''


# first a long interval and back-off, so the first cycle's figures stay put while we read them
daemon = vwtest.Daemon(config(3600, 3600), ns=ns).start()
ctl = sp.Ctl(daemon.sock)

st = vwtest.wait_for(lambda: (lambda s: s if s["cycles"] >= 1 else None)(ctl.snmp_status()), 40,
                     "the first discovery cycle to end")
vwtest.log(st)
check(st["targets"] == LIVE + 1, f"{LIVE + 1} targets")
check(st["last_cycle_ok_before_first_timeout"] == LIVE,
      f"all {LIVE} live agents were polled before the first timeout fired "
      f"(last_cycle_ok_before_first_timeout = {st['last_cycle_ok_before_first_timeout']})")

devs = ctl.devices()
addrs = {a for x in devs for a in x.get("addresses", [])}
check(set(live) <= addrs, f"every live agent is in the inventory ({len(devs)} devices)")
check(silent not in addrs, "the silent agent is not")
check(all(x["vendor"] == "huawei" for x in devs if set(x.get("addresses", [])) & set(live)), "all identified as Huawei")

# the same order in the log: every live agent's poll line precedes the first
# retransmission or timeout
log = daemon.log_text().splitlines()
first_timeout = next((i for i, l in enumerate(log)
                      if re.search(r"target 127\.0\.1\.\d+: no answer within|target 127\.0\.1\.\d+ \(group edge\): no answer",
                                   l)), None)
check(first_timeout is not None, "the log shows the silent agent's timeout")
polled = {m.group(1) for l in log[:first_timeout] for m in [re.search(r"target (127\.0\.1\.\d+|::1): polled in", l)] if m}
check(polled == set(live), f"the log has all {LIVE} live polls before the first timeout ({len(polled)} found)")
errs = {e["target"]: e for e in st["target_errors"]}
check(errs.get(silent, {}).get("kind") == "timeout", f"the silent agent's error is a timeout: {errs.get(silent)}")

check(st["polls_ok"] == LIVE and st["polls_failed"] == 1, "the first cycle: the live agents answered, the silent one failed")

# the rediscovery timer: reload with interval_sec = 1 (the plugin restarts
# with the new configuration); it must poll everything again unasked
daemon.write_config(config(1, 1))
r = ctl.request({"command": "reload"})
check(r.get("ok") is True, f"reload accepted: {r}")
st = vwtest.wait_for(lambda: (lambda s: s if s["polls_ok"] >= 3 * LIVE else None)(ctl.snmp_status()), 30,
                     "three rounds of the rediscovery timer")
check(st["cycles"] >= 2 and st["targets_rescan"] == 0, "every live agent polled again and again by the timer, no rescan")
check(len(ctl.devices()) == len(devs), "the later rounds merged into the same devices")

rc = daemon.stop()
if rc != 0:
    vwtest.log(daemon.log_text()[-6000:])
check(rc == 0, "the daemon exits cleanly")
