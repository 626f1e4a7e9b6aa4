#!/bin/sh
# Extra Debian packages (the SNMP benchmark's simulated agents).
apt-get install -y snmpsim
