#!/bin/sh
# lab-up.sh NAME [libvirt] [ovs]: by hand, makes network namespace kvmlab-NAME with a lab mount
# namespace (state in /tmp/kvmlab-NAME) and starts a private libvirtd and/or Open vSwitch in
# it. Prints how to use it. lab-down.sh NAME removes it all. NAME: letters, digits, dashes,
# not starting with a digit (names with a pid are the test fixtures', swept when their owner dies).
set -eu
. "$(dirname -- "$0")/lib.sh"
[ $# -ge 1 ] || lab_die "usage: lab-up.sh NAME [libvirt] [ovs]"
name=$1; shift
echo "$name" | grep -Eq '^[a-zA-Z][a-zA-Z0-9-]{0,20}$' || lab_die "bad NAME: $name"
ns=kvmlab-$name S=/tmp/kvmlab-$name
sh "$LAB_DIR/install-packages.sh"
ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" sh "$LAB_DIR/lab-holder.sh" "$S" >/dev/null
for what in "$@"; do
    case $what in
    libvirt)
        caps=$LAB_CACHE/libvirt-qemu-capabilities
        mkdir -p "$caps"
        sh "$LAB_DIR/lab-exec.sh" "$S" sh "$LAB_DIR/libvirtd-start.sh" "$caps"
        uri="qemu:///system?socket=$S/run/libvirt/libvirt-sock"
        deadline=$(( $(date +%s) + 120 ))
        until virsh -c "$uri" version >/dev/null 2>&1; do
            [ "$(date +%s)" -lt "$deadline" ] || lab_die "libvirtd did not answer; see $S/var/log/libvirt/libvirtd.log"
            sleep 0.1
        done
        cp "$S"/var/cache/libvirt/qemu/capabilities/*.xml "$caps/" 2>/dev/null || true
        echo "libvirt:  virsh -c '$uri' ..." ;;
    ovs)
        sh "$LAB_DIR/lab-exec.sh" "$S" sh "$LAB_DIR/ovs-start.sh"
        echo "ovs:      sh $LAB_DIR/lab-exec.sh $S ovs-vsctl ..." ;;
    *) lab_die "unknown part: $what (libvirt, ovs)" ;;
    esac
done
echo "shell:    sh $LAB_DIR/lab-exec.sh $S bash      (namespace $ns, private /run /var /etc/libvirt)"
echo "remove:   sh $LAB_DIR/lab-down.sh $name"
