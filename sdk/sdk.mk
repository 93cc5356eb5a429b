# SDK targets, meant to be included from the Makefile (`include sdk/sdk.mk`).
#   make sdk                regenerate sdk/dotnet (C# SDK) and docs/ from schema.json
#   make sdk-check          fail when sdk/dotnet or docs/ differ from a fresh generation
#   make sdk-sample-golden  regenerate the generator's golden files from its sample schema
#   make sdk-build          build and pack sdk/dotnet/Pulumi.Kvm.csproj against the real Pulumi NuGet package (to artifacts/nuget)
# The recipes use only bash and the dotnet CLI.

SDKGEN := dotnet run --project sdk/Kvm.SdkGen -c Release --
SDK_SAMPLE := tests/Kvm.Sdk.Tests/testdata
# sdk/dotnet is a standalone package project: keep the repository's central build settings
# (net10.0, warnings as errors, central package versions) away from it.
SDK_STANDALONE := -p:ImportDirectoryBuildProps=false -p:ImportDirectoryBuildTargets=false -p:ImportDirectoryPackagesProps=false

.PHONY: sdk sdk-check sdk-sample-golden sdk-build

sdk:
	$(SDKGEN) schema.json sdk/dotnet docs

sdk-check:
	$(SDKGEN) schema.json sdk/dotnet docs --check

sdk-sample-golden:
	$(SDKGEN) $(SDK_SAMPLE)/sample-schema.json $(SDK_SAMPLE)/sample-sdk $(SDK_SAMPLE)/sample-docs

sdk-build: sdk-check
	@mkdir -p .cache
	@echo "sdk-build: restoring sdk/dotnet/Pulumi.Kvm.csproj (needs the Pulumi 3.x package from NuGet)"
	@if ! dotnet restore sdk/dotnet/Pulumi.Kvm.csproj $(SDK_STANDALONE) > .cache/sdk-restore.log 2>&1; then \
		grep -E 'error' .cache/sdk-restore.log | sed 's/^/  /' | sort -u | head -20; \
		echo "sdk-build: FAILED: the real Pulumi package (or the net6.0 targeting pack) cannot be restored here."; \
		echo "  The generated SDK is still compiled on every 'dotnet build KvmProvider.sln' against the"; \
		echo "  compile-time reference of Pulumi (tests/Kvm.Sdk.CompileCheck). Run 'make sdk-build' where"; \
		echo "  nuget.org's Pulumi package is reachable to build and pack the real Pulumi.Kvm package."; \
		exit 1; \
	fi
	dotnet build sdk/dotnet/Pulumi.Kvm.csproj -c Release --no-restore $(SDK_STANDALONE)
	dotnet pack sdk/dotnet/Pulumi.Kvm.csproj -c Release --no-build $(SDK_STANDALONE) -o artifacts/nuget
	@echo "sdk-build: Pulumi.Kvm package in artifacts/nuget (dotnet nuget add source $$PWD/artifacts/nuget)"
