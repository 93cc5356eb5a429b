#!/bin/sh
# libvirtd-start.sh [CAPS_CACHE]: starts virtlogd + libvirtd with private state. Run it inside
# a lab mount namespace (lab-exec.sh S sh libvirtd-start.sh), where /run, /var and /etc/libvirt
# are private folders; it refuses anywhere else. Seeds the QEMU capability cache from
# CAPS_CACHE (a folder of *.xml, e.g. .cache/libvirt-qemu-capabilities) when given.
# Clients connect with qemu:///system?socket=S/run/libvirt/libvirt-sock; they should poll
# `virsh -c URI version` until it answers (the first start probes QEMU for several seconds).
set -eu
. "$(dirname -- "$0")/lib.sh"
lab_require_private_ns
lab_require_private_dirs /run /var /etc/libvirt
caps=${1:-}

if [ -f /run/libvirt/libvirtd.pid ] && lab_alive "$(cat /run/libvirt/libvirtd.pid)"; then
    lab_die "a libvirtd already runs in this lab namespace"
fi
mkdir -p /run/libvirt /var/lib/libvirt /var/cache/libvirt/qemu/capabilities /var/log/libvirt/qemu \
    /etc/libvirt/hooks /etc/libvirt/qemu/networks

# set_conf FILE KEY VALUE...: drop any setting of the keys, then append ours.
set_conf() {
    f=$1; shift
    touch "$f"
    while [ $# -ge 2 ]; do
        sed -i -E "/^[[:space:]]*$1[[:space:]]*=/d" "$f"
        echo "$1 = $2" >> "$f"
        shift 2
    done
}
set_conf /etc/libvirt/libvirtd.conf \
    unix_sock_dir '"/run/libvirt"' unix_sock_rw_perms '"0700"' auth_unix_ro '"none"' auth_unix_rw '"none"' \
    log_outputs '"3:file:/var/log/libvirt/libvirtd.log"'
set_conf /etc/libvirt/virtlogd.conf log_outputs '"3:file:/var/log/libvirt/virtlogd.log"'
# Guests run as root with no relabelling or chown of files they use (the lab's kernel lives in
# the repo's .cache), and no libvirt-qemu user is needed.
set_conf /etc/libvirt/qemu.conf \
    user '"root"' group '"root"' dynamic_ownership 0 remember_owner 0 security_driver '"none"'

if [ -n "$caps" ] && [ -d "$caps" ]; then
    cp "$caps"/*.xml /var/cache/libvirt/qemu/capabilities/ 2>/dev/null || true
fi

# virtlogd may still run when only libvirtd is being restarted (e.g. to pick up new hooks).
if ! { [ -f /run/libvirt/virtlogd.pid ] && lab_alive "$(cat /run/libvirt/virtlogd.pid)"; }; then
    virtlogd -d -p /run/libvirt/virtlogd.pid
fi
libvirtd -d -p /run/libvirt/libvirtd.pid
