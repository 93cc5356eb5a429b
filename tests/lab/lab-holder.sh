#!/bin/sh
# ip netns exec NS sh lab-holder.sh S
# Gives the mount namespace `ip netns exec` made for this command private /run, /var,
# /etc/libvirt and /etc/openvswitch, backed by folders under S (an absolute path outside /run
# and /var, e.g. /tmp/kvmlab-x), and leaves a holder process (sleep) in it whose pid it prints
# and writes to S/holder.pid. Later commands join with: nsenter -t PID -m -n -r -- CMD
# (or lab-exec.sh S CMD). Everything started that way shares these mounts: libvirtd sees the
# /run/openvswitch of an ovsdb-server started beside it. The host's folders are only read
# (config files are copied); nothing mounted here propagates back to the host.
set -eu
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 1 ] || lab_die "usage: ip netns exec NS sh lab-holder.sh S"
S=$1
case $S in
/run|/run/*|/var|/var/*|/etc|/etc/*) lab_die "S must not be below /run, /var or /etc" ;;
/?*) ;;
*) lab_die "S must be an absolute path" ;;
esac
lab_require_private_ns
[ ! -e "$S/holder.pid" ] || lab_die "$S already has a holder"
ns=$(ip netns identify 2>/dev/null || true)

# Nothing mounted from here on may propagate to the host (ip netns exec already does this).
mount -n --make-rslave /

mkdir -p "$S/run/lock" "$S/var/lib" "$S/var/cache" "$S/var/log" "$S/var/tmp" "$S/var/spool"
chmod 755 "$S" "$S/run" "$S/var"
chmod 1777 "$S/var/tmp"
ln -sfn /run "$S/var/run"
ln -sfn /run/lock "$S/var/lock"
touch "$S/run/.kvmlab-private" "$S/var/.kvmlab-private"
mount -n --bind "$S/run" /run
mount -n --bind "$S/var" /var
for e in libvirt openvswitch; do
    [ -d "/etc/$e" ] || continue
    mkdir -p "$S/etc/$e"
    # Copy the host's config files (only read there); state folders stay empty.
    find "/etc/$e" -maxdepth 1 -type f -name '*.conf' -exec cp {} "$S/etc/$e/" \;
    [ ! -d "/etc/$e/nwfilter" ] || cp -r "/etc/$e/nwfilter" "$S/etc/$e/"
    touch "$S/etc/$e/.kvmlab-private"
    mount -n --bind "$S/etc/$e" "/etc/$e"
done
# libvirt 9 resolves its built-in qemu user and group (libvirt-qemu) at start even when qemu.conf
# says root. Where the host has no such user, this namespace gets private copies of
# /etc/passwd and /etc/group that add one (the host's files are only read).
if ! getent passwd libvirt-qemu >/dev/null || ! getent group libvirt-qemu >/dev/null; then
    id=64055
    while getent passwd $id >/dev/null || getent group $id >/dev/null; do id=$((id + 1)); done
    cp /etc/passwd "$S/etc/passwd"; cp /etc/group "$S/etc/group"
    gid=$(getent group libvirt-qemu | cut -d: -f3)
    [ -n "$gid" ] || { gid=$id; echo "libvirt-qemu:x:$gid:" >> "$S/etc/group"; }
    getent passwd libvirt-qemu >/dev/null \
        || echo "libvirt-qemu:x:$id:$gid:kvm lab:/var/lib/libvirt:/usr/sbin/nologin" >> "$S/etc/passwd"
    mount -n --bind "$S/etc/passwd" /etc/passwd
    mount -n --bind "$S/etc/group" /etc/group
fi
[ -e /run/.kvmlab-private ] && [ -e /var/.kvmlab-private ] || lab_die "bind mounts did not take"

echo "$ns" > "$S/netns"
sleep infinity </dev/null >/dev/null 2>&1 &
echo $! > "$S/holder.pid"
echo $!
