# The project's entry points. `make test` and `make demo` each set up everything they need
# (apt packages, NuGet restore, the kernel VM cache) on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

RID := linux-x64
PLUGIN := bin/pulumi-resource-kvm
DOTNET_TEST := dotnet test --no-build -c Release
# The one version (VERSION); Directory.Build.props reads the same file for the binary and the SDK.
VERSION := $(shell cat VERSION)
DIST := artifacts/dist
# Build-time release locations (defaults in Directory.Build.props): a fork sets the repository,
# a mirror the download URL; both end up in the binary's schema and so in the packed SDK.
# The SDK package compiles against the Pulumi reference, which stands in for the real package here.
SDK_PACK_PROPS = -p:CustomAfterMicrosoftCommonTargets=$(CURDIR)/dist/pack-against-reference.targets
PLUGIN_PROPS := $(if $(KVM_REPOSITORY_URL),-p:KvmRepositoryUrl=$(KVM_REPOSITORY_URL)) $(if $(KVM_PLUGIN_DOWNLOAD_URL),-p:KvmPluginDownloadUrl=$(KVM_PLUGIN_DOWNLOAD_URL))

.PHONY: all setup lab restore build plugin vmtests schema test unit demo up bench clean
.PHONY: dist dist-archive dist-arm64 dist-sdk dist-example

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
	dotnet publish provider/Kvm.Provider -c Release -r $(RID) -o bin --nologo $(PLUGIN_PROPS)
	@rm -f bin/*.pdb

## dist: what a release publishes, in artifacts/dist: the plugin archives for linux-amd64 and
## linux-arm64 (NativeAOT, cross-linked with Debian's gcc-aarch64-linux-gnu, run once under
## qemu-user before it is packed), their SHA-256 sums, and the Pulumi.Kvm NuGet package; then an
## example is built against that package from the folder.
dist: dist-archive dist-arm64 dist-sdk
	cd $(DIST) && sha256sum pulumi-resource-kvm-v$(VERSION)-*.tar.gz Pulumi.Kvm.$(VERSION).nupkg > pulumi-resource-kvm_$(VERSION)_checksums.txt
	@$(MAKE) --no-print-directory dist-example
	@echo "dist: $(DIST):" && ls -l $(DIST) | grep -v '^total\|^d'

## dist-archive: the linux-amd64 plugin archive from bin/ (make test installs it into a fake plugin cache)
dist-archive: plugin
	bash dist/smoke.sh $(VERSION) $(PLUGIN)
	bash dist/archive.sh $(VERSION) linux-amd64 $(PLUGIN) $(DIST)

dist-arm64:
	bash dist/cross-toolchain.sh
	dotnet publish provider/Kvm.Provider -c Release -r linux-arm64 -o $(DIST)/build/linux-arm64 --nologo $(PLUGIN_PROPS) \
		-p:CppCompilerAndLinker=aarch64-linux-gnu-gcc -p:ObjCopyName=aarch64-linux-gnu-objcopy \
		-p:CustomAfterMicrosoftCommonTargets=$(CURDIR)/dist/cross-gcc.targets
	bash dist/smoke.sh $(VERSION) $(DIST)/build/linux-arm64/pulumi-resource-kvm qemu-aarch64 -L /usr/aarch64-linux-gnu
	bash dist/archive.sh $(VERSION) linux-arm64 $(DIST)/build/linux-arm64/pulumi-resource-kvm $(DIST)

## dist-sdk: the SDK generated from the release binary's own schema, packed as Pulumi.Kvm.$(VERSION).nupkg
dist-sdk: plugin
	rm -rf $(DIST)/sdk && mkdir -p $(DIST)/sdk
	$(PLUGIN) schema > $(DIST)/sdk/schema.json
	$(SDKGEN) $(DIST)/sdk/schema.json $(DIST)/sdk/dotnet $(DIST)/sdk/docs
	dotnet build $(DIST)/sdk/dotnet/Pulumi.Kvm.csproj -c Release --nologo $(SDK_STANDALONE) $(SDK_PACK_PROPS)
	dotnet pack $(DIST)/sdk/dotnet/Pulumi.Kvm.csproj -c Release --no-build -o $(DIST) --nologo $(SDK_STANDALONE) $(SDK_PACK_PROPS)

## dist-example: examples/host-network built against the packed Pulumi.Kvm from $(DIST) as a local feed
dist-example:
	rm -rf $(DIST)/example-check
	dotnet build examples/host-network/host-network.csproj -c Release --nologo -p:KvmCompileCheck=true -p:KvmLocalFeed=$(CURDIR)/$(DIST)

## schema: regenerate schema.json from the resource types
schema: plugin
	$(PLUGIN) schema > schema.json

## test: every test (unit, live, lifecycle, kernel VM)
test: setup build dist-archive
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
