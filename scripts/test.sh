#!/usr/bin/env bash
# Build everything and run every test: unit and property tests, the pallets' benchmark and
# try-state tests, the end-to-end tests against real `ehr-node --dev` and `--chain local`
# nodes, and the zombienet fault tests. Prints the wall time of each phase.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ensure_build_deps
cd "$REPO_ROOT"

start=$(now)
say "building the workspace (node, runtime wasm, pallets, client) and its tests"
cargo build --workspace --all-targets --locked
built=$(now)

say "running the workspace tests"
cargo test --workspace --locked
say "running the pallets' benchmark tests (--features runtime-benchmarks)"
cargo test --locked -p pallet-shamir-archive -p pallet-ehr-access --features runtime-benchmarks
say "running the pallets' tests with their try-state checks (--features try-runtime)"
cargo test --locked -p pallet-shamir-archive -p pallet-ehr-access --features try-runtime
say "running the FHIR server against the fhirclient Python library"
"$REPO_ROOT/scripts/test-fhir-python.sh"
say "running the zombienet fault tests on a local network of the debug binaries"
"$REPO_ROOT/scripts/test-zombienet.sh"
tested=$(now)

say "build: $((built - start)) s, tests: $((tested - built)) s, total: $((tested - start)) s"
