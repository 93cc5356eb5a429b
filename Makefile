# The project's entry points. `make test` and `make demo` each set up everything they need
# (apt packages, NuGet restore, the kernel VM cache) on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

RID := linux-x64
PLUGIN := bin/pulumi-resource-kvm
DOTNET_TEST := dotnet test --no-build -c Release

.PHONY: all setup lab restore build plugin vmtests schema test unit demo up bench clean

all: build

## setup: apt packages for the lab (idempotent) and NuGet restore
setup: lab
	@$(MAKE) --no-print-directory restore

restore:
	dotnet restore KvmProvider.sln

## lab: the lab's packages and kernel VM cache (the fixtures also do this on first use)
lab:
	bash tests/lab/install-packages.sh
	bash tests/lab/build-kernel-vm.sh

## build: the NativeAOT plugin at bin/pulumi-resource-kvm, the kernel VM's test runner, and everything else
build: plugin vmtests
	dotnet build KvmProvider.sln -c Release --no-restore

vmtests:
	dotnet publish tests/Kvm.VmTests -c Release -r $(RID) -o bin/vmtests --nologo
	@rm -f bin/vmtests/*.pdb

plugin:
	dotnet publish provider/Kvm.Provider -c Release -r $(RID) -o bin --nologo
	@rm -f bin/*.pdb

## schema: regenerate schema.json from the resource types
schema: plugin
	$(PLUGIN) schema > schema.json

## test: every test (unit, live, lifecycle, kernel VM)
test: setup build
	$(DOTNET_TEST) KvmProvider.sln

## unit: the tests that need no lab, no root and no plugin binary (codecs, models, plans, diffs, the
## generator, the SDK); live tests carry the trait Category=Live. Runs in seconds once built.
unit:
	dotnet build KvmProvider.sln -c Release
	$(DOTNET_TEST) KvmProvider.sln --filter "Category!=Live"

## demo: a full lifecycle against a throwaway lab host, printed like `pulumi up`
demo: setup build
	dotnet run -c Release --no-build --project tests/Kvm.Demo

## up: examples/host-network with the real pulumi CLI against a throwaway lab host (needs pulumi on PATH)
up:
	@command -v pulumi >/dev/null || { echo "make up: no pulumi CLI on PATH (https://www.pulumi.com/docs/install/); 'make demo' runs the lifecycle without it" >&2; exit 2; }
	@$(MAKE) --no-print-directory setup build
	bash tests/lab/make-up.sh

## bench: benchmarks, reported as ratios against a baseline measured in the same run
bench: setup build
	dotnet run -c Release --no-build --project bench/Kvm.Bench -- $(ONLY)

clean:
	rm -rf bin artifacts
	find . -name obj -o -name 'bin' -path '*/Kvm.*/bin' | xargs rm -rf
include sdk/sdk.mk
