#!/usr/bin/env python3
"""The plugin host refuses plugins it cannot trust, by file and reason: a
plugin built for another ABI, a shared object that is no plugin, a missing
file.  An optional one is left out and the daemon runs; a required one
stops the start with the same message; a bad key in a plugin's group is a
file:line error."""
import os
import re
import subprocess

import vwtest
from vwtest import check

plugdir = os.environ.get("VW_TEST_PLUGIN_DIR") or os.path.join(vwtest.BUILD, "tests", "integration")
check(os.path.exists(os.path.join(plugdir, "badabi.so")), "test plugins built")

d = vwtest.Daemon()
d.write_config(f'plugins = ( {{ name = "badabi"; }}, {{ name = "nosymbol"; }}, {{ name = "absent"; }} );\n')
with open(d.conf) as f:
    text = f.read().replace(f'plugin_dir = "{vwtest.PLUGIN_DIR}";', f'plugin_dir = "{plugdir}";')
with open(d.conf, "w") as f:
    f.write(text)
d.start()
st = d.ctl("status")
by = {p["name"]: p for p in st["plugins"]}
check(all(by[n]["state"] == "failed" for n in ("badabi", "nosymbol", "absent")), "all three refused, daemon running")
# the host's version, as the header says; badabi.c claims it + 41
with open(os.path.join(vwtest.SOURCE, "include", "vendorwatch", "plugin.h")) as f:
    abi = int(re.search(r"#define VW_PLUGIN_ABI_VERSION (\d+)u", f.read()).group(1))
err = by["badabi"]["error"]
check("badabi.so" in err and f"ABI {abi + 41}," in err and err.endswith(f"ABI {abi}"),
      f"wrong ABI named with both versions: {by['badabi']['error']}")
check("nosymbol.so" in by["nosymbol"]["error"] and "not a vendorwatch plugin" in by["nosymbol"]["error"],
      "a shared object without the plugin symbol is named")
check("absent.so" in by["absent"]["error"], "a missing plugin file is named")
log = d.log_text()
check("badabi" in log and "refused" in log, "the refusal is logged")
check(d.stop() == 0, "clean stop")

# Required: the daemon refuses to start, with the same reason.
with open(d.conf, "w") as f:
    f.write(text.replace('{ name = "badabi"; }', '{ name = "badabi"; required = true; }'))
r = subprocess.run([vwtest.VWD, "-f", "--config", d.conf], capture_output=True, text=True, timeout=30)
check(r.returncode != 0 and "badabi.so" in r.stderr and "ABI" in r.stderr, "a required plugin that is refused stops the start")

# A bad key in a (real) plugin's group: file:line from --check-config.
conf2 = os.path.join(d.dir, "bad-key.conf")
with open(conf2, "w") as f:
    f.write(f'plugin_dir = "{vwtest.PLUGIN_DIR}";\nplugins = (\n  {{ name = "jsonl";\n    path = "x";\n    pathh = "y"; }}\n);\n')
r = subprocess.run([vwtest.VWD, "--check-config", "--config", conf2], capture_output=True, text=True, timeout=30)
check(r.returncode == 1 and "bad-key.conf:5:" in r.stderr and "pathh" in r.stderr,
      f"unknown plugin key reported as file:line ({r.stderr.strip()})")
