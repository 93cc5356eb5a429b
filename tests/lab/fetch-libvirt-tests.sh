#!/bin/sh
# fetch-libvirt-tests.sh: libvirt's own test XMLs for the installed libvirt, and prints their folder:
#   $LAB_CACHE/libvirt-tests/<version>/networkxml2xmlin/*.xml   (network definitions)
#   $LAB_CACHE/libvirt-tests/<version>/qemuxml2argvdata/net-*.xml (guests with every kind of NIC)
# They come from Debian's source package of the installed version, fetched with apt's own client
# under private state (its own deb-src entries, lists and cache inside the cache folder), so the
# machine's apt configuration is untouched. They are libvirt's, not ours to commit. A second run
# reuses the cache and needs no network.
set -eu
. "$(dirname -- "$0")/lib.sh"

version=$(dpkg-query -W -f '${Version}' libvirt-daemon 2>/dev/null || true)
[ -n "$version" ] || lab_die "libvirt-daemon is not installed"
BASE=$LAB_CACHE/libvirt-tests
OUT=$BASE/$version
if [ -f "$OUT/done" ]; then echo "$OUT"; exit 0; fi

mkdir -p "$BASE"
exec 9>"$BASE/.lock"
flock 9
if [ -f "$OUT/done" ]; then echo "$OUT"; exit 0; fi

APT=$BASE/apt
rm -rf "$APT/sources"
mkdir -p "$APT/sources" "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/src"
# deb-src twins of the machine's own deb entries (deb822 .sources files and one-line lists).
for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && sed 's/^Types:.*$/Types: deb-src/' "$f" > "$APT/sources/$(basename -- "$f")"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && sed -n 's/^deb \(.*\)$/deb-src \1/p' "$f" >> "$APT/sources/machine.list"
done
set -- -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$APT/sources" \
    -o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache" -o Debug::NoLocking=1
apt-get "$@" update -qq >&2
(cd "$APT/src" && apt-get "$@" source --download-only "libvirt=$version" 2>&1 | grep -v 'unsandboxed as root' >&2 || true)
tarball=$(ls "$APT/src"/libvirt_*.orig.tar.* 2>/dev/null | head -n 1 || true)
[ -n "$tarball" ] || lab_die "apt-get source --download-only libvirt=$version fetched no .orig tarball"

work=$BASE/.extract
rm -rf "$work" "$OUT"
mkdir -p "$work" "$OUT/networkxml2xmlin" "$OUT/qemuxml2argvdata"
tar -xf "$tarball" -C "$work" --wildcards --no-wildcards-match-slash \
    '*/tests/networkxml2xmlin/*.xml' '*/tests/networkxml2confdata/*.xml' '*/tests/qemuxml2argvdata/net-*.xml'
# Some inputs are links to networkxml2confdata: copy what they point to.
cp -L "$work"/*/tests/networkxml2xmlin/*.xml "$OUT/networkxml2xmlin/"
cp -L "$work"/*/tests/qemuxml2argvdata/net-*.xml "$OUT/qemuxml2argvdata/"
rm -rf "$work"
echo "$version" > "$OUT/done"
echo "$OUT"
