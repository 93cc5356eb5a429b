# The one entry point. `make test` and `make demo` set up everything they need themselves.
SHELL := /bin/bash
.PHONY: build test
build:
	dotnet build KvmProvider.sln
test: build
	dotnet test KvmProvider.sln
