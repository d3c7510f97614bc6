#!/usr/bin/env bash
# Build everything and run every test: unit and property tests, the pallets' benchmark and
# try-state tests, the fuzz targets over their seed corpora, the end-to-end tests against real
# `ehr-node --dev` and `--chain local` nodes, the FHIR server against a Python FHIR client, the
# web app in a real browser, and the zombienet fault tests. Prints the wall time of each phase.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ensure_build_deps
cd "$REPO_ROOT"

times=()
# Runs a phase (`phase <name> <command...>`) and records its wall time.
phase() {
	local name="$1" began
	shift
	say "$name"
	began=$(now)
	"$@"
	times+=("$(printf '%5d s  %s' $(($(now) - began)) "$name")")
}

start=$(now)
phase "build: the workspace (node, runtime wasm, pallets, client) and its tests" \
	cargo build --workspace --all-targets --locked
built=$(now)
phase "test: the workspace" cargo test --workspace --locked
phase "test: the pallets' benchmarks (--features runtime-benchmarks)" \
	cargo test --locked -p pallet-shamir-archive -p pallet-ehr-access --features runtime-benchmarks
phase "test: the pallets with their try-state checks (--features try-runtime)" \
	cargo test --locked -p pallet-shamir-archive -p pallet-ehr-access --features try-runtime
phase "fuzz: every fuzz target over its committed corpus (a smoke run)" \
	"$REPO_ROOT/scripts/fuzz.sh" smoke
phase "test: the FHIR server against the fhirclient Python library" "$REPO_ROOT/scripts/test-fhir-python.sh"
phase "test: the web app in chromium (its WebAssembly built first)" "$REPO_ROOT/scripts/test-ui.sh"
phase "test: the zombienet fault tests on a local network of the debug binaries" \
	"$REPO_ROOT/scripts/test-zombienet.sh"
tested=$(now)

say "each phase's wall time"
printf '  %s\n' "${times[@]}"
say "build: $((built - start)) s, tests: $((tested - built)) s, total: $((tested - start)) s"
