#!/usr/bin/env python3
"""`vendorwatchctl report`: one self-contained HTML file (no external
resources, every value escaped) that headless Chromium renders with its
violations table (the Huawei in the core and the Hikvision camera at the
edge under a policy for both), and the same facts as JSON."""
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

sys.path.insert(0, os.path.dirname(__file__))
import vwtest  # noqa: E402
from vwtest import VWCTL, check, fail, log  # noqa: E402

SWITCH = "mac:00e0fc123456"
HOSTILE = "<script>alert(1)</script>&<b>x</b>"
HOSTILE_DIR = "<b>x&y<i>"      # the config path is in every report
CAMERA = "mac:c056e3000001"
POLICY = vwtest.CORE_EDGE_POLICY
OBSERVATIONS = [
    {"chassis_id": "00:e0:fc:12:34:56", "chassis_subtype": "mac", "sys_name": "core-sw1",
     "sys_descr": "Huawei Versatile Routing Platform Software, VRP (R) software, Version 8.180",
     "sys_object_id": "1.3.6.1.4.1.2011.2.239.12", "macs": ["00:e0:fc:12:34:56"], "addresses": ["10.0.0.1"],
     "ttl": 120},
    {"chassis_id": "00:1b:54:aa:bb:01", "chassis_subtype": "mac", "sys_name": "core-rtr1",
     "sys_descr": "Cisco IOS Software, C2900 Software (C2900-UNIVERSALK9-M), Version 15.2(4)M3",
     "sys_object_id": "1.3.6.1.4.1.9.1.1046", "addresses": ["10.0.0.2"], "ttl": 120},
    # a name crafted to break out of the HTML
    {"chassis_id": "c0:56:e3:00:00:01", "chassis_subtype": "mac", "sys_name": HOSTILE,
     "sys_descr": "Hikvision DS-2CD2143G0-I", "macs": ["c0:56:e3:00:00:01"], "addresses": ["10.1.0.5"],
     "ttl": 120},
]


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


class Tables(HTMLParser):
    """Rows (lists of cell texts) of each table by id, and every tag seen."""

    def __init__(self):
        super().__init__()
        self.tables, self.tags, self.tags_text = {}, [], []
        self._table = self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table":
            self._table = self.tables.setdefault(a.get("id") or f"t{len(self.tables)}", [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        self.tags_text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def main():
    vwtest.need_prog(VWCTL, vwtest.VWD)
    browser = chromium()
    if not browser:
        vwtest.skip("needs chromium")
    top = vwtest.tmpdir()
    os.mkdir(os.path.join(top, HOSTILE_DIR))
    d = vwtest.Daemon(d=os.path.join(top, HOSTILE_DIR))
    feed = os.path.join(d.dir, "feed.jsonl")
    with open(feed, "w") as f:
        for o in OBSERVATIONS:
            f.write(json.dumps(o) + "\n")
    d.write_config(f'plugins = ( {{ name = "jsonl"; path = "{feed}"; }} );\n' + POLICY)
    d.start()
    devices = vwtest.wait_for(lambda: (lambda l: l if len(l) >= 3 else None)(d.devices()), what="three devices")
    violations = [x for x in devices if x.get("violation") and not x.get("waived")]
    check({x["id"] for x in violations} == {SWITCH, CAMERA},
          f"the Huawei in core and the Hikvision at the edge violate, nothing else ({[x['id'] for x in violations]})")

    # --- JSON
    rep = d.ctl("report", "--format", "json")
    check(rep.get("devices") == len(devices), "the JSON report counts every device")
    by_vendor = rep.get("counts", {}).get("by_vendor", {})
    check(sum(by_vendor.values()) == len(devices), "devices per vendor add up")
    check(sum(rep.get("counts", {}).get("by_role", {}).values()) == len(devices), "devices per role add up")
    check(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", rep.get("generated", "")), "the report says when")
    check(len(rep.get("violations", [])) == len(violations), "the JSON report lists every violation")

    # --- HTML
    r = d.ctl("report", json_out=False)
    page = r.stdout
    path = os.path.join(d.dir, "report.html")
    with open(path, "w") as f:
        f.write(page)
    check(page.startswith("<!DOCTYPE html>") and "<style>" in page, "the report is one HTML page with inline CSS")
    check(not re.search(r"(src|href)\s*=|https?://|<link|@import|<script", page, re.I),
          "the report loads nothing from outside and runs no script")
    check("&lt;b&gt;x&amp;y&lt;i&gt;" in page and HOSTILE_DIR not in page, "values are HTML-escaped")
    check("&lt;script&gt;" in page and HOSTILE not in page, "device names are HTML-escaped")

    home = vwtest.tmpdir()
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
           f"--user-data-dir={os.path.join(home, 'profile')}", "--dump-dom", "file://" + path]
    b = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=dict(os.environ, HOME=home))
    if b.returncode != 0 or "<html" not in b.stdout:
        fail(f"chromium could not render the report (exit {b.returncode}): {b.stderr[-2000:]}")
    dom = Tables()
    dom.feed(b.stdout)
    check(all(t != "script" for t, _ in dom.tags), "the rendered DOM holds no script element")
    rows = dom.tables.get("violations")
    check(rows is not None and rows[0][:3] == ["Device", "Name", "Vendor"],
          "Chromium renders the violations table with its header")
    body = rows[1:]
    check(len(body) == len(violations), "one row per violation")
    for v in violations:
        row = next((x for x in body if x and x[0] == v["id"]), None)
        check(row is not None, f"violation {v['id']} has a row")
        check(row[-1] and row[-1] != "no evidence recorded", f"violation {v['id']} shows its evidence")
    cam = next(x for x in body if x and x[0] == CAMERA)
    check(HOSTILE in cam, "the camera's hostile name renders as plain text in its violation row")
    counts = dom.tables.get("counts")
    check(counts is not None and len(counts) - 1 == len(by_vendor), "one counts row per vendor")
    check(any(c.startswith("Huawei") or c.startswith("huawei") for row in counts for c in row[:1])
          or "huawei" not in by_vendor, "the Huawei switch is counted under its vendor")
    check(HOSTILE_DIR in "".join(dom.tags_text), "an escaped value renders as the text it is")
    check("generated" in b.stdout and rep["generated"][:10] in b.stdout, "the rendered page shows when")

    check(d.stop() == 0, "the daemon stops cleanly")


if __name__ == "__main__":
    main()
