#!/usr/bin/env python3
"""Write N synthetic JSON-lines observations for the inventory benchmark.

Each device: 2 globally-unique MACs (a chassis MAC and a port MAC), one
management address, a 16-byte system name, a 120-byte description and one
link (via.device/port: the neighbour that reported it).  Vendors rotate so
that some devices violate the example policy.
"""
import json
import sys

OUIS = ["00e0fc", "00259e", "001e73", "00000c", "3c8ab0", "00a0c9", "b8bef4", "4c5e0c"]
DESCR = ("Synthetic switch for the vendorwatch inventory benchmark, firmware 1.2.3 build 4567, "
         "48x1G 4x10G, serial SYNTH0000")

def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    out = sys.stdout
    for i in range(n):
        oui = OUIS[i % len(OUIS)]
        chassis = f"{oui}{(i >> 8) & 0xff:02x}{i & 0xff:02x}{(i >> 16) & 0xff:02x}"
        port = f"{oui}{(i >> 8) & 0xff:02x}{i & 0xff:02x}{((i >> 16) + 128) & 0xff:02x}"
        mac = lambda h: ":".join(h[k:k + 2] for k in range(0, 12, 2))
        prev = f"{OUIS[(i - 1) % len(OUIS)]}{((i - 1) >> 8) & 0xff:02x}{(i - 1) & 0xff:02x}{((i - 1) >> 16) & 0xff:02x}"
        o = {
            "source": "jsonl",
            "chassis_id": mac(chassis),
            "chassis_subtype": "mac",
            "macs": [mac(chassis), mac(port)],
            "addresses": [f"10.{(i >> 16) & 0xff}.{(i >> 8) & 0xff}.{i & 0xff}"],
            "sys_name": f"sw-{i:013d}",
            "sys_descr": (DESCR + f"{i:08d}")[:120],
            "port_id": "Gi0/1",
            "via": {"device": f"mac:{prev}", "port": "Gi0/48"},
        }
        out.write(json.dumps(o, separators=(",", ":")) + "\n")

if __name__ == "__main__":
    main()
