#!/bin/sh
# remote-lab-up.sh NAME [HOSTS] [libvirt] [ovs]: by hand, a workstation namespace kvmlab-NAME-ws
# and HOSTS (default 1) remote hosts kvmlab-NAME-h1.., each with sshd (and a private libvirtd
# and/or Open vSwitch when asked), joined to the workstation by a veth pair each
# (remote-host-up.sh). From the workstation, `ssh hN` works through its private ~/.ssh/config.
# remote-lab-down.sh NAME removes it all (also after a failure halfway).
set -eu
. "$(dirname -- "$0")/lib.sh"
[ $# -ge 1 ] || lab_die "usage: remote-lab-up.sh NAME [HOSTS] [libvirt] [ovs]"
name=$1; shift
hosts=1
case ${1:-} in [0-9]*) hosts=$1; shift ;; esac
case $hosts in *[!0-9]*) lab_die "bad HOSTS: $hosts" ;; esac
[ "$hosts" -ge 1 ] && [ "$hosts" -le 254 ] || lab_die "bad HOSTS: $hosts (1-254)"
trap 'echo "remote-lab-up.sh: failed; clean up with: sh $LAB_DIR/remote-lab-down.sh $name" >&2' EXIT
sh "$LAB_DIR/lab-up.sh" "$name-ws" >/dev/null
W=/tmp/kvmlab-$name-ws
i=1
while [ "$i" -le "$hosts" ]; do
    sh "$LAB_DIR/lab-up.sh" "$name-h$i" "$@" | grep -v '^remove:' || true
    [ -e "/tmp/kvmlab-$name-h$i/holder.pid" ] || lab_die "host h$i did not come up"
    echo "h$i: $(sh "$LAB_DIR/remote-host-up.sh" "$W" "/tmp/kvmlab-$name-h$i" "$i")   (alias address port sshd-pid)"
    i=$((i + 1))
done
trap - EXIT
echo "ssh:      sh $LAB_DIR/lab-exec.sh $W ssh -o BatchMode=yes h1 CMD     (the workstation: private ~/.ssh in $W/root/.ssh)"
echo "remove:   sh $LAB_DIR/remote-lab-down.sh $name"
