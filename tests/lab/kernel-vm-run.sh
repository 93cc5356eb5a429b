#!/bin/sh
# kernel-vm-run.sh [-t SECONDS] [-m MiB] [-j JOBDIR] SCRIPT
# Boots Debian's generic kernel under qemu (TCG) with the host root shared read-only, runs
# SCRIPT (a shell script file, run by /bin/sh as root inside the VM, chrooted into the host
# root; cwd /run/kvmlab = the job folder), prints its output and exits with its exit code.
# The VM has no network device. Files in the job folder (read-write, /run/kvmlab inside):
#   script.sh, output (stdout+stderr of the script), exitcode, console.log (kernel console).
# Exit codes besides the script's own: 124 timed out, 125 the VM ended without an exit code.
set -eu
. "$(dirname -- "$0")/lib.sh"
timeout=120 mem=1024 job=
while getopts t:m:j: o; do
    case $o in t) timeout=$OPTARG;; m) mem=$OPTARG;; j) job=$OPTARG;; *) exit 2;; esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || lab_die "usage: kernel-vm-run.sh [-t SECONDS] [-m MiB] [-j JOBDIR] SCRIPT"
script=$1

boot=$(LAB_QUIET=1 sh "$LAB_DIR/build-kernel-vm.sh")
kernel=$boot/vmlinux
[ -f "$kernel" ] || kernel=$boot/bzImage

cleanup=
if [ -z "$job" ]; then
    job=$(mktemp -d "/tmp/kvmlab-vm-$$-XXXXXX")
    cleanup=1
fi
mkdir -p "$job"
[ "$(realpath "$script")" = "$(realpath "$job/script.sh" 2>/dev/null || true)" ] || cp "$script" "$job/script.sh"
rm -f "$job/output" "$job/exitcode" "$job/console.log"

# The VM gets private /tmp and /run; a checkout inside either (a clone in /tmp) is bound back in.
keep=
repo=$(realpath "$LAB_DIR/../..")
case $repo in
/tmp/*|/run/*)
    case $repo in *[!A-Za-z0-9/._+-]*) lab_die "the kernel VM cannot show $repo (under /tmp or /run, with unusual characters): move the checkout";; esac
    keep=" kvmlab.keep=$repo" ;;
esac

# -name carries the owner's pid so lab-sweep.sh can end a VM whose owner died.
rc=0
timeout -k 5 "$timeout" qemu-system-x86_64 \
    -name "kvmlab-vm-${KVMLAB_OWNER:-$$}" \
    -accel tcg -cpu max -M q35 -smp 1 -m "$mem" \
    -nodefaults -nic none -display none -no-reboot \
    -serial "file:$job/console.log" -monitor none \
    -kernel "$kernel" -initrd "$boot/initrd.gz" \
    -append "console=ttyS0 quiet loglevel=3 panic=-1$keep" \
    -fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap" \
    -device "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot" \
    -fsdev "local,id=kvmlab,path=$job,security_model=none,multidevs=remap" \
    -device "virtio-9p-pci,fsdev=kvmlab,mount_tag=kvmlab" \
    </dev/null || rc=$?

if [ -f "$job/exitcode" ]; then
    cat "$job/output" 2>/dev/null || true
    rc=$(cat "$job/exitcode")
elif [ "$rc" = 124 ]; then
    echo "kernel-vm-run.sh: timed out after ${timeout}s; console:" >&2
    tail -n 30 "$job/console.log" >&2 || true
else
    echo "kernel-vm-run.sh: the VM ended (qemu exit $rc) without an exit code; console:" >&2
    tail -n 30 "$job/console.log" >&2 || true
    rc=125
fi
[ -z "$cleanup" ] || rm -rf --one-file-system "$job"
exit "$rc"
