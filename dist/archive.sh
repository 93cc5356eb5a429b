#!/usr/bin/env bash
# dist/archive.sh VERSION OS-ARCH BINARY OUTDIR
# Writes OUTDIR/pulumi-resource-kvm-vVERSION-OS-ARCH.tar.gz, the plugin archive the Pulumi engine
# downloads (its standardAssetName) and `pulumi plugin install resource kvm VERSION --file` takes.
# The engine extracts it as it is into ~/.pulumi/plugins/resource-kvm-vVERSION/ and runs the
# executable named pulumi-resource-kvm there, so the binary sits at the archive's root.
# No PulumiPlugin.yaml: in an installed plugin folder that file names a language runtime, and the
# engine then runs that runtime's dependency install in the folder after unpacking (and runs the
# plugin through that runtime when the executable is missing); a NativeAOT binary has none.
# The archive is reproducible: sorted entries, root-owned, mtime of the last commit, gzip without a name or time.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 VERSION OS-ARCH BINARY OUTDIR" >&2; exit 2; }
version=$1 platform=$2 binary=$3 outdir=$4
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || { echo "$0: '$version' is not a semantic version" >&2; exit 2; }
[ -x "$binary" ] || { echo "$0: $binary is not an executable (build it first)" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
install -m 0755 "$binary" "$stage/pulumi-resource-kvm"
install -m 0644 "$here/README.md" "$stage/README.md"
epoch=$(git -C "$here" log -1 --format=%ct 2>/dev/null || echo 0)
mkdir -p "$outdir"
archive="$outdir/pulumi-resource-kvm-v$version-$platform.tar.gz"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" --format=gnu \
    -C "$stage" -cf - pulumi-resource-kvm README.md | gzip -9 -n > "$archive.tmp"
mv "$archive.tmp" "$archive"
echo "$archive ($(du -h "$archive" | cut -f1))"
