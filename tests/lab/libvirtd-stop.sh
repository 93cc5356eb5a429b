#!/bin/sh
# libvirtd-stop.sh S: stops the libvirtd that libvirtd-start.sh started in the lab namespace
# of state folder S, and what it started (guests, dnsmasq), by the pids in their pid files:
# SIGTERM, wait, SIGKILL. Runs from anywhere (the host sees S/run/libvirt).
set -eu
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 1 ] || lab_die "usage: libvirtd-stop.sh S"
R=$1/run/libvirt
# The daemon first, so it restarts nothing; then guests and dnsmasq; virtlogd last.
lab_stop_pidfiles "$R/libvirtd.pid"
lab_stop_pidfiles "$R"/qemu/*.pid "$R"/network/*.pid
lab_stop_pidfiles "$R/virtlogd.pid"
