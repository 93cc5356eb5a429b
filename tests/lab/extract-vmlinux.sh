#!/bin/sh
# extract-vmlinux.sh BZIMAGE OUT: writes the uncompressed ELF vmlinux inside a bzImage to OUT
# (the approach of the kernel's scripts/extract-vmlinux: find each compression magic, try to
# decompress from there, keep the first result that is an ELF file). Exit 1 when none works.
set -eu
img=$1 out=$2
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT

is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }

# try MAGIC(as grep -P escapes) TOOL...
try() {
    magic=$1; shift
    command -v "$1" >/dev/null 2>&1 || return 1
    for off in $(LC_ALL=C grep -obUaP "$magic" "$img" 2>/dev/null | cut -d: -f1); do
        # Decompressors complain about the data after the stream; the ELF check decides.
        tail -c +"$((off + 1))" "$img" | "$@" > "$tmp" 2>/dev/null || true
        if is_elf "$tmp"; then mv "$tmp" "$out"; return 0; fi
    done
    return 1
}

try '\xfd7zXZ\x00' xz -dc \
    || try '\xfd7zXZ\x00' busybox xzcat \
    || try '\x1f\x8b\x08' gzip -dc \
    || try '\x28\xb5\x2f\xfd' zstd -dcq \
    || try '\x5d\x00\x00\x00' xz -dc --format=lzma \
    || try 'BZh' bzip2 -dc \
    || try '\x02\x21\x4c\x18' lz4 -dc \
    || { echo "extract-vmlinux.sh: no supported compressed ELF found in $img" >&2; exit 1; }
