#!/usr/bin/env bash
# dist/smoke.sh VERSION BINARY [RUNNER...]
# Runs a built plugin the way a user's machine would (through RUNNER, e.g. qemu-aarch64 for a
# foreign architecture) and checks what it says about itself: `schema` carries VERSION and a
# pluginDownloadURL, and started as the engine starts it, its first stdout line is a port.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 VERSION BINARY [RUNNER...]" >&2; exit 2; }
version=$1 binary=$2; shift 2
schema=$("$@" "$binary" schema)
got=$(printf '%s' "$schema" | sed -n 's/^  "version": "\(.*\)",$/\1/p')
[ "$got" = "$version" ] || { echo "$0: $binary reports version '$got', VERSION is '$version'" >&2; exit 1; }
url=$(printf '%s' "$schema" | sed -n 's/^  "pluginDownloadURL": "\(.*\)",$/\1/p')
[ -n "$url" ] || { echo "$0: $binary's schema has no pluginDownloadURL" >&2; exit 1; }
out=$(mktemp)
"$@" "$binary" >"$out" 2>/dev/null &
pid=$!
for _ in $(seq 1 300); do [ -s "$out" ] && break; sleep 0.1; done
port=$(head -n1 "$out")
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
rm -f "$out"
[[ $port =~ ^[0-9]+$ ]] || { echo "$0: $binary did not print a port as its first line (got '$port')" >&2; exit 1; }
echo "smoke: $binary: version $version, pluginDownloadURL $url, serves on 127.0.0.1:$port${1:+ (run through $*)}"
