#!/usr/bin/env bash
# Debian's GNU cross toolchain for linux-arm64 NativeAOT links (make dist-arm64), and qemu-user to
# run the result once before it is packed; installed when missing.
set -euo pipefail
command -v aarch64-linux-gnu-gcc >/dev/null && [ -e /usr/aarch64-linux-gnu/lib/libc.so ] && command -v qemu-aarch64 >/dev/null && exit 0
[ "$(id -u)" -eq 0 ] || { echo "$0: needs root to apt-get install the arm64 cross toolchain" >&2; exit 1; }
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user >/dev/null
