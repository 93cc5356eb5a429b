#!/bin/busybox sh
# /init of the kernel VM's initramfs (built by build-kernel-vm.sh). Loads the modules, then:
#  - "kvmlab.idle" on the kernel command line: stays up doing nothing (a guest for libvirt tests);
#  - otherwise: mounts the host root read-only (9p tag hostroot) at /host, private tmpfs on
#    /host/tmp and /host/run (with "kvmlab.keep=PATH", the host's PATH under them stays visible),
#    the job folder (9p tag kvmlab, read-write) at /host/run/kvmlab,
#    chroots into /host, runs /run/kvmlab/script.sh with its output in /run/kvmlab/output,
#    writes its exit code to /run/kvmlab/exitcode and prints it on the console, powers off.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /host
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# No devices made at load time (bond0, dummy0): tests create the ones they want.
while read -r m; do
    case $m in bonding) args=max_bonds=0 ;; dummy) args=numdummies=0 ;; *) args= ;; esac
    # shellcheck disable=SC2086
    [ -n "$m" ] && { insmod "/modules/$m.ko" $args 2>/dev/null || echo "kvmlab: insmod $m failed"; }
done < /modules/order

echo "KVMLAB-READY uptime $(cut -d" " -f1 /proc/uptime)s"
stop() { sync; poweroff -f; sleep 5; echo o > /proc/sysrq-trigger; }

case " $(cat /proc/cmdline) " in
*" kvmlab.idle "*)
    echo "KVMLAB-IDLE"
    while :; do sleep 3600; done ;;
esac

if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /host; then
    echo "KVMLAB-ERROR: cannot mount the host root"; stop
fi
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -t devtmpfs devtmpfs /host/dev
mkdir -p /host/dev/pts /host/dev/shm
mount -t devpts devpts /host/dev/pts
mount -t tmpfs tmpfs /host/dev/shm
keep=
for word in $(cat /proc/cmdline); do
    case $word in kvmlab.keep=/*) keep=${word#kvmlab.keep=} ;; esac
done
if [ -n "$keep" ]; then
    mkdir -p /keep
    mount -o bind "/host$keep" /keep || { echo "KVMLAB-ERROR: cannot keep $keep"; stop; }
fi
mount -t tmpfs -o mode=1777 tmpfs /host/tmp
mount -t tmpfs -o mode=755 tmpfs /host/run
if [ -n "$keep" ]; then
    mkdir -p "/host$keep"
    mount -o bind /keep "/host$keep" || { echo "KVMLAB-ERROR: cannot keep $keep"; stop; }
fi
mkdir -p /host/run/netns /host/run/lock /host/run/kvmlab
if ! mount -t 9p -o trans=virtio,version=9p2000.L,rw,msize=262144 kvmlab /host/run/kvmlab; then
    echo "KVMLAB-ERROR: cannot mount the job folder"; stop
fi

# KVMLAB_KERNEL_VM tells the lab fixtures they run in here (nothing to install or sweep).
chroot /host /usr/bin/env -i HOME=/tmp TERM=dumb LANG=C.UTF-8 KVMLAB_KERNEL_VM=1 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
    /bin/sh -c 'cd /run/kvmlab && exec /bin/sh /run/kvmlab/script.sh > /run/kvmlab/output 2>&1 < /dev/null'
rc=$?
echo "$rc" > /host/run/kvmlab/exitcode
sync
echo "KVMLAB-EXIT-CODE=$rc"
stop
