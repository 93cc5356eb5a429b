#!/usr/bin/env bash
# make up: runs examples/host-network with the real pulumi CLI against a throwaway lab host (a
# network namespace with a private libvirtd, removed at the end), then destroys it. Needs the
# pulumi CLI on PATH and the Pulumi NuGet packages (the Pulumi.Kvm package: make sdk-build).
# Without a pulumi CLI it says so and fails: `make demo` drives the same lifecycle through the
# provider's gRPC protocol with the repository's engine harness instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
if ! command -v pulumi >/dev/null; then
    echo "make up: no pulumi CLI on PATH (https://www.pulumi.com/docs/install/); 'make demo' runs the lifecycle without it" >&2
    exit 2
fi
name=up$$
state=$(mktemp -d /tmp/kvm-up-XXXXXX)
# Absolute: the cleanup runs after the cd into the example below.
cleanup() { sh "$root/tests/lab/lab-down.sh" "$name" || true; rm -rf "$state"; }
trap cleanup EXIT
sh tests/lab/lab-up.sh "$name" libvirt
uplink=uplink0
ip -n "kvmlab-$name" link add "$uplink" type veth peer name switch0
export PULUMI_BACKEND_URL="file://$state" PULUMI_CONFIG_PASSPHRASE=lab PULUMI_SKIP_UPDATE_CHECK=1
images="$state/images"; mkdir -p "$images"
for g in web db; do qemu-img create -q -f qcow2 "$images/$g.qcow2" 1G; done
cd examples/host-network
pulumi stack init lab --non-interactive
pulumi config set uplink "$uplink"
pulumi config set imageDir "$images"
pulumi config set kvm:uri "qemu:///system?socket=/tmp/kvmlab-$name/run/libvirt/libvirt-sock"
pulumi config set kvm:netns "kvmlab-$name"
pulumi config set kvm:libvirtHooksDir "/tmp/kvmlab-$name/etc/libvirt/hooks"
pulumi preview --diff
pulumi up --yes --diff
pulumi refresh --yes --diff
pulumi destroy --yes
pulumi stack rm --yes lab
