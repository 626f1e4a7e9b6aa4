#!/usr/bin/env python3
"""`vendorwatchctl topology`: the links the daemon recorded (from `via` in the
observations, fed through plugins/jsonl) rendered as Graphviz dot, drawn with
the real `dot -Tsvg`; each link once, nodes grouped by role in clusters,
restricted devices (a policy with core and edge segments: the Huawei in the
core, the Hikvision camera at the edge) drawn in red, names with quotes and
backslashes escaped."""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
import vwtest  # noqa: E402
from vwtest import VWCTL, check, fail, log  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"
SWITCH = "mac:00e0fc123456"
ROUTER_NAME = 'core-rtr1 "lab" \\ west'
CAMERA = "mac:c056e3000001"
POLICY = vwtest.CORE_EDGE_POLICY
OBSERVATIONS = [
    {"chassis_id": "00:e0:fc:12:34:56", "chassis_subtype": "mac", "sys_name": "core-sw1",
     "sys_descr": "Huawei Versatile Routing Platform Software, VRP (R) software, Version 8.180",
     "sys_object_id": "1.3.6.1.4.1.2011.2.239.12", "macs": ["00:e0:fc:12:34:56"], "addresses": ["10.0.0.1"],
     "ttl": 120},
    # the router, seen by the switch on GE1/0/1 ...
    {"chassis_id": "00:1b:54:aa:bb:01", "chassis_subtype": "mac", "sys_name": ROUTER_NAME,
     "sys_descr": "Cisco IOS Software, C2900 Software (C2900-UNIVERSALK9-M), Version 15.2(4)M3",
     "sys_object_id": "1.3.6.1.4.1.9.1.1046", "port_id": "Gi0/0", "addresses": ["10.0.0.2"], "ttl": 120,
     "via": {"device": SWITCH, "port": "GE1/0/1"}},
    # ... and the switch seen by the router: the same cable
    {"chassis_id": "00:e0:fc:12:34:56", "chassis_subtype": "mac", "sys_name": "core-sw1",
     "sys_descr": "Huawei Versatile Routing Platform Software, VRP (R) software, Version 8.180",
     "sys_object_id": "1.3.6.1.4.1.2011.2.239.12", "port_id": "GE1/0/1", "ttl": 120,
     "via": {"device": "mac:001b54aabb01", "port": "Gi0/0"}},
    {"chassis_id": "c0:56:e3:00:00:01", "chassis_subtype": "mac", "sys_name": "cam-lobby",
     "sys_descr": "Hikvision DS-2CD2143G0-I", "macs": ["c0:56:e3:00:00:01"], "port_id": "eth0", "addresses": ["10.1.0.5"],
     "ttl": 120, "via": {"device": SWITCH, "port": "GE1/0/24"}},
]


def node_shapes(root):
    """{node title: [(stroke, fill) of its shapes]} from an SVG."""
    out = {}
    for g in root.iter(SVG + "g"):
        if g.get("class") != "node":
            continue
        title = g.find(SVG + "title")
        shapes = [(e.get("stroke"), e.get("fill")) for e in g.iter()
                  if e.tag in (SVG + "path", SVG + "polygon", SVG + "ellipse")]
        texts = [e.get("fill") for e in g.iter(SVG + "text")]
        out[title.text if title is not None else ""] = (shapes, texts)
    return out


def main():
    vwtest.need_prog(VWCTL, vwtest.VWD, "dot")
    d = vwtest.Daemon()
    feed = os.path.join(d.dir, "feed.jsonl")
    with open(feed, "w") as f:
        for o in OBSERVATIONS:
            f.write(json.dumps(o) + "\n")
    d.write_config(f'plugins = ( {{ name = "jsonl"; path = "{feed}"; }} );\n' + POLICY)
    d.start()

    topo = vwtest.wait_for(lambda: (lambda t: t if len(t.get("links") or []) >= 3 else None)(
        d.ctl("topology", "--format", "json")), what="three links in the topology")
    nodes = {n["id"]: n for n in topo.get("nodes", [])}
    check(SWITCH in nodes, "topology --format json lists the switch as a node")
    check(d.ctl("topology").get("nodes") == topo["nodes"], "--json topology is the same JSON")

    r = d.ctl("topology", json_out=False)
    dot_src = r.stdout
    check(dot_src.startswith("graph vendorwatch {"), "topology prints a dot graph by default")
    check(dot_src.count(" -- ") == 2, "the cable seen from both ends is drawn once (2 edges for 3 links)")
    check('\\"lab\\" \\\\ west' in dot_src, "quotes and backslashes in names are escaped for dot")
    roles = {n.get("role") or "unknown" for n in nodes.values()}
    check({"core", "edge"} <= roles, f"core and edge devices in the topology ({sorted(roles)})")
    for role in ("core", "edge"):
        check(f"subgraph cluster_{role}" in dot_src, f"{role} devices are grouped in a cluster")
    if roles - {"core", "edge"}:
        check("subgraph cluster_unknown" in dot_src, "devices of unknown role are grouped in a cluster")

    svg = subprocess.run(["dot", "-Tsvg"], input=dot_src, capture_output=True, text=True, timeout=60)
    if svg.returncode != 0:
        fail(f"dot -Tsvg refused the graph: {svg.stderr}")
    check(True, "dot -Tsvg renders the graph")
    root = ET.fromstring(svg.stdout)
    shapes = node_shapes(root)
    check(set(nodes) <= set(shapes), "every node is drawn")
    texts = "".join(t.text or "" for t in root.iter(SVG + "text"))
    check("GE1/0/24" in texts and "core-sw1" in texts, "port and device names are drawn")

    restricted = {i for i, n in nodes.items() if n.get("restricted")}
    check(restricted == {SWITCH, CAMERA},
          f"the Huawei in core and the Hikvision at the edge are restricted, nothing else ({sorted(restricted)})")
    check(dot_src.count("RESTRICTED") == 2, "restricted nodes say so in their label (for print)")
    for i, n in nodes.items():
        strokes = {s for s, _ in shapes[i][0]}
        if n.get("restricted"):
            check("red" in strokes and "red" in shapes[i][1], f"restricted {i} is drawn in red in the SVG")
        else:
            check("red" not in strokes and "red" not in shapes[i][1], f"{i} (not restricted) is not red")

    check(d.stop() == 0, "the daemon stops cleanly")

    # The links are in the store.  The camera moves to another port; after a
    # second restart with nothing new to read, its old link can only come from
    # the store's links (its stored observation names the new port).
    before = {(l["local"], l.get("local_port"), l["remote"]) for l in topo["links"]}
    want = before | {(SWITCH, "GE1/0/23", CAMERA)}

    def links_when(expected):
        t = d.ctl("topology", "--format", "json")
        got = {(l["local"], l.get("local_port"), l["remote"]) for l in t.get("links") or []}
        return got if got >= expected else None

    moved = dict(OBSERVATIONS[3], via={"device": SWITCH, "port": "GE1/0/23"})
    with open(feed, "w") as f:
        f.write(json.dumps(moved) + "\n")
    d.start()
    vwtest.wait_for(lambda: links_when(want), what="the moved camera's new link")
    d.ctl("sync")
    check(d.stop() == 0, "the daemon stops cleanly after the first restart")
    open(feed, "w").close()
    d.start()
    got = vwtest.wait_for(lambda: links_when(set()), what="the topology after the second restart")
    check((SWITCH, "GE1/0/24", CAMERA) in got, "the camera's old link came back from the store")
    check(got == want, f"every stored link restored, nothing invented ({len(got)} links)")
    check(d.stop() == 0, "the daemon stops cleanly after the second restart")

if __name__ == "__main__":
    main()
