#!/usr/bin/env python3
"""SNMP discovery against real snmpd + lldpd: SNMPv3 authPriv, the LLDP-MIB
neighbour crawl, SNMP/LLDP merge into one device, a wrong v3 password, rescan.

    namespace H ("Huawei")                      namespace Z ("ZTE")
    snmpd (Huawei VRP sysDescr, 2011.2.239.12)  snmpd (ZXR10 sysDescr, 3902...)
      master agentx <- lldpd -x  ===== veth ===== lldpd -x -> snmpd's agentx
    vendorwatchd (snmp plugin, seed 10.x.0.1)   mgmt address 10.x.0.2

The daemon polls H's snmpd (v3 authPriv), finds Z in H's lldpRemTable, crawls
Z's management address from lldpRemManAddrTable and polls it too; the LLDP-MIB
row and Z's own SNMP answer merge on Z's chassis MAC.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import snmppeers as sp  # noqa: E402
import vwtest  # noqa: E402
from vwtest import check  # noqa: E402

sp.need_peers()

d = vwtest.tmpdir()
net = 10 + os.getpid() % 200           # 10.<net>.0.0/30 inside this test's namespaces only
H_ADDR, Z_ADDR = f"10.{net}.0.1", f"10.{net}.0.2"
GOOD = ("audit", "authpass-good1", "privpass-good1")
BAD_USER = ("auditor", "authpass-right2", "privpass-right2")
NOPRIV = ("monitor", "authpass-nopriv4", None)
WRONG_AUTH = "authpass-WRONG3"

H = vwtest.Netns("vwsh")
Z = vwtest.Netns("vwsz")
h_if, z_if = vwtest.veth(H, Z, sp.HUAWEI_MAC, sp.ZTE_MAC)
H.run("ip", "addr", "add", f"{H_ADDR}/30", "dev", h_if)
Z.run("ip", "addr", "add", f"{Z_ADDR}/30", "dev", z_if)

h_agentx = os.path.join(d, "h-agentx.sock")
z_agentx = os.path.join(d, "z-agentx.sock")
# H's snmpd also answers on 127.0.0.1 for the wrong-password group and on
# 127.0.0.2 for an authNoPriv (SHA) user
sp.start_snmpd(H, d, "hw", [f"udp:{H_ADDR}:161", "udp:127.0.0.1:161", "udp:127.0.0.2:161"], sp.HUAWEI_DESCR,
               sp.HUAWEI_OID, "hw-core-1", agentx=h_agentx, v3=(GOOD, BAD_USER, NOPRIV))
sp.start_snmpd(Z, d, "zte", [f"udp:{Z_ADDR}:161"], sp.ZTE_DESCR, sp.ZTE_OID, "zte-agg-1",
               agentx=z_agentx, v3=(GOOD,))
_, h_ctl = sp.start_lldpd(H, d, "hw", h_if, sp.HUAWEI_DESCR, "hw-core-1", mgmt=H_ADDR, agentx=h_agentx)
_, z_ctl = sp.start_lldpd(Z, d, "zte", z_if, sp.ZTE_DESCR, "zte-agg-1", mgmt=Z_ADDR, agentx=z_agentx)

# H's lldpd must have heard Z (and filled LLDP-MIB) before the daemon polls
deadline = time.monotonic() + 30
while not sp.lldp_neighbours(H, h_ctl):
    if time.monotonic() > deadline:
        vwtest.log(sp.lldpd_diagnostics(H, d, "hw", h_ctl))
        vwtest.log(sp.lldpd_diagnostics(Z, d, "zte", z_ctl))
        vwtest.fail("timed out waiting for lldpd in H to hear the ZTE neighbour")
    time.sleep(0.1)
vwtest.wait_for(lambda: Z_ADDR in H.run("snmpwalk", "-v2c", "-c", "public", "-On", H_ADDR, "1.0.8802.1.1.2.1.4.2",
                                        check=False, env=dict(os.environ, SNMP_PERSISTENT_DIR=d)).stdout,
                20, "the neighbour's management address in H's lldpRemManAddrTable (AgentX)")

lldp_plugin = os.path.exists(os.path.join(vwtest.PLUGIN_DIR, "lldp.so"))
lldp_conf = f'{{ name = "lldp"; interfaces = [ "{h_if}" ]; }},' if lldp_plugin else ""
conf = f'''
plugins = ( {lldp_conf}
  {{ name = "snmp"; timeout_ms = 700; retries = 1; interval_sec = 3600; persistent_dir = "{d}/vw-snmp";
     groups = (
       {{ name = "core"; version = "3"; user = "{GOOD[0]}"; auth = "SHA-256"; auth_password = "{GOOD[1]}";
          priv = "AES"; priv_password = "{GOOD[2]}";
          seeds = [ "{H_ADDR}" ]; prefixes = [ "10.{net}.0.0/30" ]; }},
       {{ name = "badpass"; version = "3"; user = "{BAD_USER[0]}"; auth = "SHA-256"; auth_password = "{WRONG_AUTH}";
          priv = "AES"; priv_password = "{BAD_USER[2]}"; seeds = [ "127.0.0.1" ]; }},
       {{ name = "authonly"; version = "3"; user = "{NOPRIV[0]}"; auth = "SHA"; auth_password = "{NOPRIV[1]}";
          seeds = [ "127.0.0.2" ]; }} ); }} );
'''
daemon = vwtest.Daemon(conf, ns=H).start()
ctl = sp.Ctl(daemon.sock)



st = vwtest.wait_for(ctl.cycles_done, 30, "the first discovery cycle")
devs = {x["id"]: x for x in ctl.devices()}
vwtest.log(json.dumps(list(devs.values()), indent=1))
vwtest.log(json.dumps(st, indent=1))

hw_id = "mac:" + sp.HUAWEI_MAC.replace(":", "")
zte_id = "mac:" + sp.ZTE_MAC.replace(":", "")
hw, zte = devs.get(hw_id), devs.get(zte_id)

# both devices, identified
check(hw is not None, f"the polled Huawei agent is a device keyed by its LLDP chassis MAC ({hw_id})")
check(hw["sys_object_id"] == sp.HUAWEI_OID and hw["sys_name"] == "hw-core-1", "Huawei sysObjectID and sysName read over v3 authPriv")
check(hw["vendor"] == "huawei", "Huawei identified")
check(zte is not None, f"the LLDP neighbour is a device keyed by its chassis MAC ({zte_id})")
check(zte["vendor"] == "zte", "ZTE identified")
check(len([x for x in devs.values() if x.get("kind") == "network"]) == 2,
      "exactly two network devices (no duplicate from the crawl, nothing from the failing target)")
# (the inventory keeps the latest observation per source, so the Huawei
# device shows one of its two agent addresses: the merge shows as two devices)
check(st["polls_ok"] == 3 and "127.0.0.2" not in {e["target"] for e in st["target_errors"]},
      "the authNoPriv (SHA) agent on 127.0.0.2 answered, and merged into the Huawei device (still two devices)")

# the neighbour came from H's LLDP-MIB and was crawled at its management address
check("snmp-lldp" in zte["sources"], "the neighbour was read from H's LLDP-MIB remote table")
check(st["crawl_added"] == 1 and st["targets_crawl"] == 1, "its management address was crawled (one crawl target)")
check("snmp" in zte["sources"] and zte["sys_object_id"] == sp.ZTE_OID,
      "the crawled agent's own SNMP answer and the LLDP-MIB row merged into one device")
check(Z_ADDR in zte["addresses"], "the neighbour's management address is on the device")
topo = ctl.request({"command": "topology"})
link = next((k for k in topo.get("links", []) if k["local"] == hw_id and k["remote"] == zte_id and k["source"] == "snmp-lldp"),
            None)
check(link is not None and link.get("local_port"),
      f"the LLDP-MIB row is a link Huawei/{link and link.get('local_port')} -> ZTE in the topology")
if lldp_plugin:
    def heard():
        return next((x for x in ctl.devices() if x["id"] == zte_id and "lldp" in x["sources"]), None)
    deadline = time.monotonic() + 20
    while not heard():
        if time.monotonic() > deadline:
            st_all = ctl.request({"command": "status"})
            vwtest.log(json.dumps([p for p in st_all.get("plugins", []) if p.get("name") == "lldp"], indent=1))
            vwtest.log(daemon.log_text()[-3000:])
            vwtest.fail("timed out waiting for the LLDP capture of the neighbour")
        time.sleep(0.1)
    check(len([x for x in ctl.devices() if x.get("kind") == "network"]) == 2,
          "the LLDP capture and the SNMP sightings merged into the same device")
else:
    vwtest.log("(lldp plugin not built: the capture-side merge is not checked here)")

# a wrong v3 password: a clear per-target error, in status and in the log
errs = {e["target"]: e for e in st["target_errors"]}
bad = errs.get("127.0.0.1")
check(bad is not None and bad["group"] == "badpass", "the wrong-password target has a per-target error in status")
check(bad["kind"] == "auth" and "authentication failure" in bad["error"] and BAD_USER[0] in bad["error"],
      f"the error says authentication failure for user {BAD_USER[0]}: {bad['error']!r}")
check(st["errors"]["auth"] >= 1 and st["polls_failed"] == 1 and st["targets_failing"] == 1, "counted as one failing target")
log = daemon.log_text()
check(f'target 127.0.0.1 (group badpass): user "{BAD_USER[0]}": authentication failure' in log,
      "the log names the target, its group, the user and the failure")
check(H_ADDR not in errs and Z_ADDR not in errs and "127.0.0.2" not in errs, "the good targets have no errors")
status_text = json.dumps(ctl.request({"command": "status"}))
for secret in GOOD[1:] + BAD_USER[1:] + (WRONG_AUTH, NOPRIV[1]):
    check(secret not in log and secret not in status_text, f"secret {secret[:8]}... is neither logged nor in status")

# rescan (admin command, we are root): one target through vendorwatchctl,
# then the control socket directly
polls = st["polls_ok"]
if os.path.exists(vwtest.VWCTL):
    r = daemon.ctl("rescan", Z_ADDR)
else:
    r = ctl.request({"command": "rescan", "target": Z_ADDR})
check(r.get("ok") is True, f"rescan {Z_ADDR} accepted: {r}")
st = vwtest.wait_for(lambda: (lambda s: s if s["polls_ok"] == polls + 1 and not s["cycle_running"] else None)(ctl.snmp_status()),
                     20, "the rescanned target's poll")
check(st["cycles"] == 2 and st["polls_failed"] == 1, "rescan of one target polled exactly that target")
r = ctl.request({"command": "rescan", "target": "192.0.2.7"})
check(r.get("ok") is False and "192.0.2.7" in r.get("error", ""), f"rescan outside the configured address space refused: {r}")
r = ctl.request({"command": "rescan"})
check(r.get("ok") is True, "rescan of everything accepted")
st = vwtest.wait_for(lambda: (lambda s: s if s["cycles"] >= 3 and not s["cycle_running"] else None)(ctl.snmp_status()),
                     20, "the full rescan")
check(st["polls_ok"] == polls + 1 + 3 and st["polls_failed"] == 2, "the full rescan polled all four targets again (one still failing)")
check(len([x for x in ctl.devices() if x.get("kind") == "network"]) == 2, "still two devices after rescans")

# the operator corrects the password and reloads: the new keys are used
# (net-snmp's USM user table outlives a plugin instance)
daemon.write_config(conf.replace(WRONG_AUTH, BAD_USER[1]))
r = ctl.request({"command": "reload"})
check(r.get("ok") is True, f"reload with the corrected password accepted: {r}")
st = vwtest.wait_for(ctl.cycles_done, 30, "the first cycle after the reload")
check(st["polls_ok"] == 4 and st["polls_failed"] == 0 and st["target_errors"] == [],
      f"after the reload all four targets answer, the corrected one included ({st['target_errors']})")

rc = daemon.stop()
if rc != 0:
    vwtest.log(daemon.log_text()[-6000:])
check(rc == 0, "the daemon exits cleanly")
