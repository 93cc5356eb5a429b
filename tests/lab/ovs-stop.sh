#!/bin/sh
# ovs-stop.sh S: stops the Open vSwitch daemons ovs-start.sh started in the lab namespace of
# state folder S, by their pid files (SIGTERM, wait, SIGKILL). Runs from anywhere.
set -eu
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 1 ] || lab_die "usage: ovs-stop.sh S"
lab_stop_pidfiles "$1/run/openvswitch/ovs-vswitchd.pid"
lab_stop_pidfiles "$1/run/openvswitch/ovsdb-server.pid"
