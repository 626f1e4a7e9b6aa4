#!/bin/sh
# Install every build, runtime and test dependency of vendorwatch (Debian 12).
# Idempotent: apt-get skips what is already installed.
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get install -y build-essential pkg-config meson python3 libsystemd-dev libconfig-dev libjson-c-dev libsqlite3-dev libcmocka-dev libpcap-dev libsnmp-dev ieee-data libwireshark-data lldpd snmpd snmp rsyslog tshark clang scdoc graphviz chromium
