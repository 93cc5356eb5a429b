#!/bin/sh
# build-kernel-vm.sh: makes the kernel VM's boot files and prints their folder:
#   $LAB_CACHE/kernel-vm/<kernel version>/{vmlinux (or bzImage), initrd.gz, modules.order}
# The kernel is Debian's generic amd64 image (`apt-get download`, `dpkg -x`; never installed),
# the newest that linux-image-amd64 points to. A second run reuses everything in the cache and
# needs no network; the initramfs is rebuilt only when this script or the init changes.
set -eu
. "$(dirname -- "$0")/lib.sh"
KV=$LAB_CACHE/kernel-vm
mkdir -p "$KV/debs"

# Modules wanted in the VM (their dependencies are added from each .ko's modinfo); missing ones
# are skipped. Order here does not matter: the list written is dependencies first.
WANTED="crc32c_generic virtio_pci virtio_balloon 9pnet_virtio 9p overlay llc stp garp mrp bridge 8021q veth dummy bonding tun
 macvlan macvtap vxlan openvswitch"

stamp_now=$( (cat "$LAB_DIR/build-kernel-vm.sh" "$LAB_DIR/kernel-vm-init.sh" "$LAB_DIR/extract-vmlinux.sh") | sha256sum | cut -c1-16)

up_to_date() { [ -L "$KV/current" ] && [ -f "$KV/current/stamp" ] && [ "$(cat "$KV/current/stamp")" = "$stamp_now" ]; }
if up_to_date; then (cd "$KV/current" && pwd -P); exit 0; fi

# One builder at a time (test projects may run in parallel); the next one finds it done.
exec 9>"$KV/.lock"
flock 9
if up_to_date; then (cd "$KV/current" && pwd -P); exit 0; fi

# The kernel package: the one already downloaded, else the one linux-image-amd64 depends on.
deb=$(ls -t "$KV"/debs/linux-image-*-amd64_*.deb 2>/dev/null | grep -E '/linux-image-[0-9.]+-[0-9]+-amd64_' | head -n 1 || true)
if [ -z "$deb" ]; then
    apt-cache show linux-image-amd64 >/dev/null 2>&1 || apt-get update -qq
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
    [ -n "$pkg" ] || pkg=$(apt-cache pkgnames linux-image- | grep -E '^linux-image-[0-9.]+-[0-9]+-amd64$' | sort -V | tail -n 1)
    [ -n "$pkg" ] || lab_die "apt offers no linux-image-*-amd64"
    lab_log "downloading $pkg"
    (cd "$KV/debs" && apt-get download -qq "$pkg" 2>&1 | grep -v 'unsandboxed as root' >&2 || true)
    deb=$(ls -t "$KV"/debs/"$pkg"_*.deb 2>/dev/null | head -n 1 || true)
    [ -n "$deb" ] || lab_die "apt-get download $pkg failed"
fi

work=$(mktemp -d "$KV/build.XXXXXX")
trap 'rm -rf --one-file-system "$work"' EXIT
dpkg -x "$deb" "$work/deb"
kver=$(ls "$work/deb/lib/modules" | head -n 1)
[ -n "$kver" ] || lab_die "no lib/modules in $deb"
out=$KV/$kver
mkdir -p "$work/out"

# Boot image: an uncompressed vmlinux boots about twice as fast as the bzImage under TCG.
if sh "$LAB_DIR/extract-vmlinux.sh" "$work/deb/boot/vmlinuz-$kver" "$work/out/vmlinux"; then
    :
else
    lab_log "no vmlinux could be extracted; using the bzImage"
    cp "$work/deb/boot/vmlinuz-$kver" "$work/out/bzImage"
fi
cp "$work/deb/boot/config-$kver" "$work/out/config"

# Modules: an index name -> path, then a depth-first walk writing dependencies first.
moddir=$work/deb/lib/modules/$kver
find "$moddir" -name '*.ko' | awk '{ n = $0; sub(/.*\//, "", n); sub(/\.ko$/, "", n); gsub(/-/, "_", n); print n, $0 }' > "$work/index"
: > "$work/order"
visit() {
    local _m _f _d
    _m=$(echo "$1" | tr - _)
    grep -qx "$_m" "$work/order" && return 0
    grep -qx "$_m" "$work/visiting" 2>/dev/null && return 0
    _f=$(awk -v m="$_m" '$1 == m { print $2; exit }' "$work/index")
    [ -n "$_f" ] || return 1        # built in, or not in this kernel
    echo "$_m" >> "$work/visiting"
    for _d in $(tr '\0' '\n' < "$_f" | grep -a -m 1 '^depends=' | cut -d= -f2 | tr , ' '); do
        visit "$_d" || true
    done
    echo "$_m" >> "$work/order"
}
for m in $WANTED; do visit "$m" || lab_log "module $m is not in $kver (skipped)"; done

root=$work/initramfs
mkdir -p "$root/bin" "$root/modules" "$root/dev" "$root/proc" "$root/sys" "$root/host"
bb=$(command -v busybox) || lab_die "busybox-static is not installed (tests/lab/install-packages.sh)"
cp "$bb" "$root/bin/busybox"
cp "$LAB_DIR/kernel-vm-init.sh" "$root/init"
chmod 755 "$root/init" "$root/bin/busybox"
while read -r m; do
    cp "$(awk -v m="$m" '$1 == m { print $2; exit }' "$work/index")" "$root/modules/$m.ko"
done < "$work/order"
cp "$work/order" "$root/modules/order"
cp "$work/order" "$work/out/modules.order"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -6 > "$work/out/initrd.gz"
echo "$stamp_now" > "$work/out/stamp"

# Publish: replace the version folder, then point current at it (both renames).
rm -rf --one-file-system "$out.old"
[ ! -e "$out" ] || mv "$out" "$out.old"
mv "$work/out" "$out"
rm -rf --one-file-system "$out.old"
ln -sfn "$kver" "$KV/current.new" && mv -T "$KV/current.new" "$KV/current"
lab_log "built $out ($(wc -l < "$out/modules.order") modules)"
(cd "$out" && pwd -P)
