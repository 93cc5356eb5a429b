#!/bin/sh
# Installs the Debian packages the test lab needs; does nothing when they are all there.
# apt-get update runs only when something is missing. Daemons are not started by the install
# (a temporary policy-rc.d says no), so nothing runs in the default namespace afterwards.
set -eu
PACKAGES="libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt0 qemu-system-x86 qemu-utils dnsmasq-base iptables nftables busybox-static cpio openvswitch-switch openssh-server openssh-client"

missing=
for p in $PACKAGES; do
    s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$s" = installed ] || missing="$missing $p"
done
[ -n "$missing" ] || exit 0

[ "$(id -u)" = 0 ] || { echo "install-packages.sh: need root to install:$missing" >&2; exit 1; }
# One installer at a time (test projects may run in parallel); re-check once we have the lock.
exec 9>/tmp/kvmlab-install.lock
flock 9
still=
for p in $missing; do
    s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$s" = installed ] || still="$still $p"
done
missing=$still
[ -n "$missing" ] || exit 0
echo "install-packages.sh: installing$missing" >&2
policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && made_policy=1
fi
trap '[ -z "$made_policy" ] || rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
