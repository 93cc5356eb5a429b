#!/bin/sh
# lab-down.sh NAME: stops everything lab-up.sh NAME started and removes namespace kvmlab-NAME
# and its state folder /tmp/kvmlab-NAME.
set -u
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 1 ] || lab_die "usage: lab-down.sh NAME"
ns=kvmlab-$1 S=/tmp/kvmlab-$1
if [ -d "$S" ]; then
    sh "$LAB_DIR/libvirtd-stop.sh" "$S"
    sh "$LAB_DIR/ovs-stop.sh" "$S"
    sh "$LAB_DIR/sshd-stop.sh" "$S"
fi
if ip netns list | cut -d' ' -f1 | grep -qx "$ns"; then
    pids=$(ip netns pids "$ns")
    for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $pids; do lab_wait_gone "$p" 10 || kill -KILL "$p" 2>/dev/null || true; done
    ip netns delete "$ns"
fi
rm -rf --one-file-system "$S"
