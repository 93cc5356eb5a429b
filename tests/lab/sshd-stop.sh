#!/bin/sh
# sshd-stop.sh S: stops the sshd that sshd-start.sh started in the lab namespace of state folder
# S, by its pid file (SIGTERM, wait, SIGKILL). Runs from anywhere. Like a real sshd, it leaves
# sessions already open running (they end with the namespace).
set -eu
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 1 ] || lab_die "usage: sshd-stop.sh S"
lab_stop_pidfiles "$1/run/kvmlab-sshd.pid"
