# The one entry point. `make test` and `make demo` set up everything they need themselves.
SHELL := /bin/bash
.PHONY: build test lab
build:
	dotnet build KvmProvider.sln
test: build
	dotnet test KvmProvider.sln
# The test lab's packages and kernel VM (the lab fixtures also do this on first use).
lab:
	sh tests/lab/install-packages.sh
	sh tests/lab/build-kernel-vm.sh
