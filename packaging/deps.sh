#!/bin/sh
# Install every Debian 12 package that building, testing and packaging
# vendorwatch needs.  Idempotent: safe to run again (CI runs it every time).
set -eu

export DEBIAN_FRONTEND=noninteractive

SUDO=
if [ "$(id -u)" -ne 0 ]; then
        SUDO=sudo
fi

$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends meson ninja-build pkg-config gcc clang libclang-rt-14-dev libc6-dev libsystemd-dev libconfig-dev libjson-c-dev libsqlite3-dev libcmocka-dev libpcap-dev libsnmp-dev ieee-data libwireshark-data lldpd snmpd snmp rsyslog iproute2 tshark dnsmasq-base udhcpc python3 systemd util-linux debhelper lintian fakeroot dpkg-dev build-essential file scdoc graphviz chromium snmpsim
