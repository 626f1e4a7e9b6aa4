#!/bin/sh
# Build the vendorwatch Debian packages from this tree.
#
#   packaging/build-deb.sh OUTDIR
#
# dpkg-buildpackage wants debian/ at the top of the source tree, and the
# packaging lives in packaging/debian/: so the tree is copied to a scratch
# folder (without build folders and VCS data), debian/ is placed at its root,
# and the binary packages are built there.  The .deb, .changes and .buildinfo
# files end up in OUTDIR.  DEB_BUILD_OPTIONS defaults to "nocheck" (CI runs
# the test suite separately); set it to build with the tests.
set -eu

if [ $# -ne 1 ]; then
        echo "usage: $0 OUTDIR" >&2
        exit 2
fi

src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/vendorwatch-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

tree="$work/vendorwatch"
mkdir "$tree"
# Meson build folders (any name) hold meson-private/: leave them out.
tar -C "$src" \
    --exclude-tag-all=meson-private \
    --exclude='./.git' --exclude='./build*' --exclude='./obj-*' \
    --exclude='./debian' --exclude='./debian-build' --exclude='__pycache__' \
    -cf - . | tar -C "$tree" -xf -
cp -a "$tree/packaging/debian" "$tree/debian"

export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS-nocheck}"
(cd "$tree" && dpkg-buildpackage -us -uc -b)

found=0
for f in "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo; do
        [ -e "$f" ] || continue
        cp "$f" "$out/"
        found=1
done
if [ "$found" -eq 0 ]; then
        echo "$0: no packages were built" >&2
        exit 1
fi
ls -1 "$out"
