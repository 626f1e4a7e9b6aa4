#!/usr/bin/env python3
"""A switch's bridge tables for snmpd, through its `pass_persist` protocol.

    pass_persist .1.3.6.1.2.1.17 /usr/bin/python3 bridgeagent.py DATA.json 1.3.6.1.2.1.17

DATA.json is a list of [oid, type, value] (type as snmpd's pass protocol
names them: integer, string, octet = space-separated hex bytes).  snmpd
asks `get`/`getnext` with one OID each and this answers from the sorted
rows; everything else (the system group, IF-MIB, IP-MIB's ARP table) is
snmpd's own.  The helpers below build the rows the tests and the benchmark
serve.
"""
import bisect
import json
import os
import sys

BASE_PORT_IFINDEX = "1.3.6.1.2.1.17.1.4.1.2"
DOT1Q_FDB_PORT = "1.3.6.1.2.1.17.7.1.2.2.1.2"
DOT1Q_FDB_STATUS = "1.3.6.1.2.1.17.7.1.2.2.1.3"
DOT1Q_VLAN_FDB_ID = "1.3.6.1.2.1.17.7.1.4.2.1.3"
LLDP_LOC_CHASSIS_SUBTYPE = "1.0.8802.1.1.2.1.3.1.0"
LLDP_LOC_CHASSIS_ID = "1.0.8802.1.1.2.1.3.2.0"
LLDP_LOC_PORT_ID = "1.0.8802.1.1.2.1.3.7.1.3"
LLDP_REM = "1.0.8802.1.1.2.1.4.1.1"
ROOTS = ("1.3.6.1.2.1.17", "1.0.8802.1.1.2")

LEARNED, SELF = 3, 4


def mac_index(mac):
    return ".".join(str(int(b, 16)) for b in mac.split(":"))


def mac_octets(mac):
    return " ".join(mac.split(":"))


class Rows:
    """The rows one simulated switch serves."""

    def __init__(self):
        self.rows = []

    def add(self, oid, typ, value):
        self.rows.append([oid, typ, str(value)])

    def base_port(self, port, ifindex):
        self.add(f"{BASE_PORT_IFINDEX}.{port}", "integer", ifindex)

    def vlan(self, vlan, fdb_id):
        self.add(f"{DOT1Q_VLAN_FDB_ID}.0.{vlan}", "integer", fdb_id)

    def fdb(self, fdb_id, mac, port, status=LEARNED):
        idx = f"{fdb_id}.{mac_index(mac)}"
        self.add(f"{DOT1Q_FDB_PORT}.{idx}", "integer", port)
        self.add(f"{DOT1Q_FDB_STATUS}.{idx}", "integer", status)

    def chassis(self, mac):
        self.add(LLDP_LOC_CHASSIS_SUBTYPE, "integer", 4)
        self.add(LLDP_LOC_CHASSIS_ID, "octet", mac_octets(mac))

    def lldp_neighbour(self, local_port_num, rem_index, chassis_mac, port_name, sys_name, local_port_name=None):
        idx = f"0.{local_port_num}.{rem_index}"
        self.add(f"{LLDP_REM}.4.{idx}", "integer", 4)
        self.add(f"{LLDP_REM}.5.{idx}", "octet", mac_octets(chassis_mac))
        self.add(f"{LLDP_REM}.6.{idx}", "integer", 5)
        self.add(f"{LLDP_REM}.7.{idx}", "string", port_name)
        self.add(f"{LLDP_REM}.9.{idx}", "string", sys_name)
        if local_port_name:
            self.add(f"{LLDP_LOC_PORT_ID}.{local_port_num}", "string", local_port_name)

    def write(self, path):
        tmp = path + ".new"
        with open(tmp, "w") as f:
            json.dump(self.rows, f)
        os.replace(tmp, path)           # whole: the agent may be reading it


def snmpd_lines(script, data):
    """snmpd.conf lines serving `data` (a Rows file) through this script."""
    return [f"pass_persist .{root} {sys.executable} {script} {data} {root}" for root in ROOTS]


def _key(oid):
    return tuple(int(x) for x in oid.strip(".").split(".") if x)


def _load(path, prefix):
    with open(path) as f:
        rows = [r for r in json.load(f) if _key(r[0])[:len(prefix)] == prefix]
    rows.sort(key=lambda r: _key(r[0]))
    keys = [_key(r[0]) for r in rows]
    answers = [f".{r[0]}\n{r[1]}\n{r[2]}\n" for r in rows]
    return keys, answers, {k: i for i, k in enumerate(keys)}


def serve(path, root):
    """Answer for the rows under `root` only: snmpd passes this process the
    requests of that subtree, and a getnext must not step out of it.  The
    rows are read again when DATA.json changes (a test grows a table between
    two polls; write it whole, then rename it into place)."""
    prefix = _key(root)
    stamp = os.stat(path).st_mtime_ns
    keys, answers, index = _load(path, prefix)
    out = sys.stdout
    for line in sys.stdin:
        cmd = line.strip()
        now = os.stat(path).st_mtime_ns
        if now != stamp:
            stamp = now
            keys, answers, index = _load(path, prefix)
        if cmd == "PING":
            out.write("PONG\n")
        elif cmd in ("get", "getnext"):
            k = _key(sys.stdin.readline())
            if cmd == "get":
                i = index.get(k)
            else:
                i = bisect.bisect_right(keys, k)
                i = i if i < len(keys) else None
            out.write(answers[i] if i is not None else "NONE\n")
        elif cmd == "set":
            sys.stdin.readline()
            sys.stdin.readline()
            out.write("not-writable\n")
        elif not cmd:
            break
        out.flush()


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2])
