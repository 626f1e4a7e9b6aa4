#!/bin/sh
# Install every build, runtime and test dependency of vendorwatch (Debian 12).
# Idempotent: apt-get skips what is already installed.
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get install -y scdoc graphviz chromium
