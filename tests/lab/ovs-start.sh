#!/bin/sh
# ovs-start.sh: starts ovsdb-server + ovs-vswitchd (userspace datapath bridges; kernel ones too in
# the kernel VM, which has the openvswitch module) with private state, inside a lab mount
# namespace (lab-exec.sh S sh ovs-start.sh); refuses anywhere else. Database
# /var/lib/openvswitch/conf.db, socket /run/openvswitch/db.sock (both private: S/var/...,
# S/run/... on the host), logs in /var/log/openvswitch. Returns when both are up.
set -eu
. "$(dirname -- "$0")/lib.sh"
lab_require_private_ns
lab_require_private_dirs /run /var
O=/run/openvswitch
if [ -f $O/ovsdb-server.pid ] && lab_alive "$(cat $O/ovsdb-server.pid)"; then
    lab_die "Open vSwitch already runs in this lab namespace"
fi
mkdir -p $O /var/lib/openvswitch /var/log/openvswitch
db=/var/lib/openvswitch/conf.db
[ -e $db ] || ovsdb-tool create $db /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server $db --remote=punix:$O/db.sock --pidfile=$O/ovsdb-server.pid --detach -vconsole:emer \
    --log-file=/var/log/openvswitch/ovsdb-server.log
ovs-vsctl --no-wait init
ovs-vswitchd unix:$O/db.sock --pidfile=$O/ovs-vswitchd.pid --detach -vconsole:emer \
    --log-file=/var/log/openvswitch/ovs-vswitchd.log
