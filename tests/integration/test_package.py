#!/usr/bin/env python3
"""The Debian packages: build, contents, lintian, install and run.

Builds the packages with packaging/build-deb.sh (DEB_BUILD_OPTIONS=nocheck,
so the suite does not run twice), checks what each package holds and
depends on, runs lintian (no errors allowed), then installs them into a
scratch root and runs the installed daemon there:

The scratch root is the host's own system with the unpacked packages laid
over /usr and /etc (overlayfs, in a private mount namespace, so the host is
never touched), entered with chroot.  Inside it the package's maintainer
steps that matter run for real (systemd-sysusers, systemd-tmpfiles), the
installed units pass `systemd-analyze verify` against the installed binary,
and `vendorwatchd --check-config` runs as the vendorwatch user with the
installed configuration, vendor data and plugins at their installed paths.
"""
import glob
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import vwtest  # noqa: E402

PKG = os.path.join(vwtest.SOURCE, "packaging")

# Enter a root made of the host's system with the packages laid over it.
# $1 = unpacked packages, $2 = empty mount point, $3 = scratch for overlay
# upper/work dirs; the rest is the command run inside.
ENTER = r"""
set -eu
low=$1 root=$2 scratch=$3
shift 3
for p in /*; do
        n=${p#/}
        if [ -L "$p" ]; then
                # merged /usr: /lib -> usr/lib, so the package's /lib goes there
                if [ -d "$low/$n" ] && [ ! -L "$low/$n" ]; then
                        mkdir -p "$low/$(readlink "$p")"
                        cp -a "$low/$n/." "$low/$(readlink "$p")/"
                fi
                ln -s "$(readlink "$p")" "$root/$n"
                continue
        fi
        [ -d "$p" ] || continue
        mkdir "$root/$n"
        case $n in
        usr|etc)
                mkdir -p "$scratch/$n.up" "$scratch/$n.work" "$low/$n"
                mount -t overlay overlay \
                        -o "lowerdir=$low/$n:/$n,upperdir=$scratch/$n.up,workdir=$scratch/$n.work" \
                        "$root/$n" ;;
        proc)   mount -t proc proc "$root/proc" ;;
        dev)    mount --rbind /dev "$root/dev" ;;
        tmp|run|var)
                mount -t tmpfs -o mode=0755 tmpfs "$root/$n" ;;
        esac
done
chmod 1777 "$root/tmp"
exec chroot "$root" "$@"
"""

# Run inside the scratch root: what postinst does, then the checks.
INSIDE = r"""
set -eu
systemd-sysusers vendorwatch.conf
systemd-tmpfiles --create vendorwatch.conf
mkdir -p /var/tmp && chmod 1777 /var/tmp
echo "== verify"
man=no
[ -e /usr/share/man/man8/vendorwatchd.8.gz ] && man=yes
out=$(systemd-analyze verify --man=$man /lib/systemd/system/vendorwatchd.socket \
        /lib/systemd/system/vendorwatchd.service 2>&1)
if [ -n "$out" ]; then
        echo "$out"
        exit 1
fi
echo "== check-config"
setpriv --reuid=vendorwatch --regid=vendorwatch --init-groups \
        /usr/sbin/vendorwatchd --check-config --config /etc/vendorwatch/vendorwatch.conf
echo "== check-config default"
setpriv --reuid=vendorwatch --regid=vendorwatch --init-groups /usr/sbin/vendorwatchd --check-config
echo "== state dir"
stat -c '%U %a' /var/lib/vendorwatch
"""


def deb_field(deb, field):
    return vwtest.sh("dpkg-deb", "-f", deb, field).stdout.strip()


def deb_files(deb):
    out = vwtest.sh("dpkg-deb", "-c", deb).stdout
    files = set()
    for line in out.splitlines():
        name = line.split(None, 5)[5].split(" -> ")[0]
        files.add(name[1:] if name.startswith(".") else name)
    return files


def needed(path):
    r = vwtest.sh("readelf", "-d", path, check=False)
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", r.stdout)


def check_shlibs(pkg, depends, binaries):
    """Every library the binaries need is pulled by the package's Depends."""
    names = set(re.findall(r"([a-z0-9][a-z0-9+.-]+)", depends))
    for b in binaries:
        for lib in needed(b):
            r = vwtest.sh("dpkg", "-S", f"*/{lib}", check=False)
            owners = {l.split(":")[0] for l in r.stdout.splitlines() if "/" in l}
            vwtest.check(owners & names,
                         f"{pkg}: {os.path.basename(b)} needs {lib}, Depends has {owners & names or owners}")


def main():
    vwtest.need_prog("dpkg-buildpackage", "dh", "dpkg-deb", "lintian", "readelf")
    if not os.path.isfile(os.path.join(vwtest.SOURCE, "plugins", "jsonl", "meson.build")):
        vwtest.skip("the tree has no jsonl plugin yet (the vendorwatch package ships it)")
    d = vwtest.tmpdir()
    out = os.path.join(d, "debs")

    # -- build --------------------------------------------------------------
    env = dict(os.environ, DEB_BUILD_OPTIONS="nocheck")
    r = subprocess.run([os.path.join(PKG, "build-deb.sh"), out], env=env,
                       capture_output=True, text=True, timeout=540)
    if r.returncode != 0:
        vwtest.log(r.stdout[-6000:] + r.stderr[-6000:])
    vwtest.check(r.returncode == 0, "packaging/build-deb.sh builds the packages")

    multiarch = vwtest.sh("dpkg-architecture", "-qDEB_HOST_MULTIARCH").stdout.strip()
    plugdir = f"/usr/lib/{multiarch}/vendorwatch/plugins"
    debs = {}
    for f in glob.glob(os.path.join(out, "*.deb")):
        debs[os.path.basename(f).split("_")[0]] = f
    want = ["vendorwatch"] + [f"vendorwatch-{p}" for p in ("lldp", "snmp") if os.path.isfile(
        os.path.join(vwtest.SOURCE, "plugins", p, "meson.build"))]
    vwtest.check(all(p in debs for p in want), f"built {sorted(debs)}, need {want}")

    # -- contents -----------------------------------------------------------
    main_deb = debs["vendorwatch"]
    files = deb_files(main_deb)
    for f in ("/usr/sbin/vendorwatchd", "/usr/bin/vendorwatchctl",
              "/etc/vendorwatch/vendorwatch.conf", "/etc/vendorwatch/vendors.conf",
              "/lib/systemd/system/vendorwatchd.service",
              "/lib/systemd/system/vendorwatchd.socket",
              "/usr/lib/sysusers.d/vendorwatch.conf", "/usr/lib/tmpfiles.d/vendorwatch.conf",
              f"{plugdir}/jsonl.so",
              "/usr/share/doc/vendorwatch/examples/vendorwatchd-ipaccess.conf.example"):
        vwtest.check(f in files, f"vendorwatch ships {f}")
    vwtest.check(not any(re.search(r"/(lldp|snmp)\.so$", f) for f in files),
                 "vendorwatch ships no capture/SNMP plugin")

    ctrl = os.path.join(d, "ctrl")
    vwtest.sh("dpkg-deb", "-e", main_deb, ctrl)
    with open(os.path.join(ctrl, "conffiles")) as f:
        conffiles = set(f.read().split())
    vwtest.check({"/etc/vendorwatch/vendorwatch.conf",
                  "/etc/vendorwatch/vendors.conf"} <= conffiles,
                 "both config files are conffiles")
    with open(os.path.join(ctrl, "postinst")) as f:
        postinst = f.read()
    vwtest.check(0 <= postinst.find("systemd-sysusers") < postinst.find("deb-systemd-helper"),
                 "postinst makes the user before it enables the units")

    dep = deb_field(main_deb, "Depends")
    vwtest.log(f"vendorwatch Depends: {dep}")
    vwtest.check(re.search(r"\bieee-data\b", dep) and re.search(r"\blibwireshark-data\b", dep),
                 "vendorwatch depends on ieee-data and libwireshark-data")
    x = os.path.join(d, "x")
    vwtest.sh("dpkg-deb", "-x", main_deb, x)
    check_shlibs("vendorwatch", dep, [os.path.join(x, "usr/sbin/vendorwatchd"),
                                      os.path.join(x, "usr/bin/vendorwatchctl")])
    vwtest.check(not re.search(r"libpcap|libsnmp", dep),
                 "vendorwatch does not pull libpcap or net-snmp")

    for name, lib, soname in (("lldp", "libpcap", "libpcap.so"), ("snmp", "libsnmp", "libnetsnmp.so")):
        pkg = f"vendorwatch-{name}"
        if pkg not in debs:
            vwtest.log(f"(no {pkg}: plugins/{name} is not in this tree)")
            continue
        files = deb_files(debs[pkg])
        vwtest.check(f"{plugdir}/{name}.so" in files, f"{pkg} ships {name}.so")
        vwtest.sh("dpkg-deb", "-x", debs[pkg], x)
        libs = needed(os.path.join(x, plugdir.lstrip("/"), f"{name}.so"))
        pdep = deb_field(debs[pkg], "Depends")
        vwtest.log(f"{pkg} Depends: {pdep}; {name}.so needs {libs}")
        vwtest.check(any(l.startswith(soname) for l in libs), f"{name}.so links {soname}")
        check_shlibs(pkg, pdep, [os.path.join(x, plugdir.lstrip("/"), f"{name}.so")])
        vwtest.check(re.search(rf"\b{lib}", pdep) and "vendorwatch (= " in pdep,
                     f"{pkg} depends on {lib} and the same vendorwatch version")

    # -- lintian ------------------------------------------------------------
    changes = glob.glob(os.path.join(out, "*.changes"))
    vwtest.check(len(changes) == 1, "one .changes file")
    r = vwtest.sh("lintian", "--no-tag-display-limit", changes[0], check=False)
    tags = [l for l in r.stdout.splitlines() if re.match(r"^[EWIPXON]: ", l)]
    for t in tags:
        vwtest.log("lintian: " + t)
    errors = [t for t in tags if t.startswith("E: ")]
    vwtest.check(not errors and r.returncode in (0, 1), f"lintian: no errors ({len(tags)} tags)")

    # -- install into a scratch root and run --------------------------------
    if os.geteuid() != 0:
        vwtest.skip("installing into a scratch root needs root (mount namespace)")
    vwtest.need_prog("unshare", "chroot", "setpriv")
    low, root, scratch = (os.path.join(d, n) for n in ("low", "root", "scratch"))
    for p in (low, root, scratch):
        os.makedirs(p)
    for pkg in want:
        vwtest.sh("dpkg-deb", "-x", debs[pkg], low)
    r = subprocess.run(["unshare", "--mount", "--propagation", "private",
                        "sh", "-c", ENTER, "enter", low, root, scratch,
                        "sh", "-c", INSIDE], capture_output=True, text=True, timeout=120)
    vwtest.log(r.stdout + r.stderr)
    vwtest.check(r.returncode == 0,
                 "installed files are coherent: sysusers, tmpfiles, units verify, "
                 "vendorwatchd --check-config as the vendorwatch user")
    vwtest.check("vendorwatch 750" in r.stdout, "state directory owned by vendorwatch, 0750")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
