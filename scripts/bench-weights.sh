#!/usr/bin/env bash
# Measure the weights of our pallets and write their `weights.rs`: runs every v2 benchmark of
# `pallet_ehr_access` and `pallet_shamir_archive` in the real runtime, compiled to Wasm with
# `runtime-benchmarks`, under `frame-omni-bencher` (Wasm executed by wasmtime, storage in
# memory with the database weights of `RocksDbWeight`, as the upstream pallets are measured).
#
#   scripts/bench-weights.sh                   # both pallets, 50 steps, 20 repeats
#   PALLETS=pallet_ehr_access STEPS=10 REPEAT=5 scripts/bench-weights.sh
#
# Not part of CI: run it after changing a call or its benchmark, on a machine that is otherwise
# idle, and commit the regenerated files. It needs, besides scripts/setup.sh:
# - `frame-omni-bencher` (installed into ~/.cache/ehr-chain/tools on first use: a release
#   build of about 30-40 minutes on 2 cores);
# - the runtime's Wasm with `runtime-benchmarks`, built here directly with `cargo rustc` for
#   `wasm32v1-none` and the wasm builder's flags, in the release profile, so the native debug
#   artifacts of the tests are left alone.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ensure_build_deps

PALLETS="${PALLETS:-pallet_ehr_access pallet_shamir_archive}"
STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
OMNI_VERSION="0.28.0" # the frame-omni-bencher of polkadot-sdk stable2609
TOOLS="$HOME/.cache/ehr-chain/tools"
BENCHER="$TOOLS/bin/frame-omni-bencher"

if [[ ! -x "$BENCHER" ]] || ! "$BENCHER" --version | grep -q "$OMNI_VERSION"; then
	# C libraries among its dependencies are bound with bindgen, which needs libclang.
	ensure_apt_packages libclang-dev
	say "installing frame-omni-bencher $OMNI_VERSION into $TOOLS"
	CARGO_TARGET_DIR="$HOME/.cache/ehr-chain/omni-target" \
		cargo install --locked frame-omni-bencher --version "$OMNI_VERSION" --root "$TOOLS"
fi

say "building the runtime Wasm with runtime-benchmarks"
# The flags substrate-wasm-builder gives a runtime build (see its wasm_project.rs).
RUSTFLAGS="-C link-arg=--export-table -C link-arg=--export=__heap_base -C link-arg=--import-memory --cfg substrate_runtime" \
	cargo rustc --locked -p ehr-runtime --profile release --target wasm32v1-none \
	--no-default-features --features runtime-benchmarks --crate-type cdylib
WASM="$CARGO_TARGET_DIR/wasm32v1-none/release/ehr_runtime.wasm"

for pallet in $PALLETS; do
	dir="$REPO_ROOT/pallets/${pallet#pallet_}"
	dir="${dir//_/-}"
	say "benchmarking $pallet ($STEPS steps, $REPEAT repeats) into ${dir#"$REPO_ROOT"/}/src/weights.rs"
	"$BENCHER" v1 benchmark pallet \
		--runtime "$WASM" \
		--pallet "$pallet" --extrinsic "*" \
		--steps "$STEPS" --repeat "$REPEAT" \
		--heap-pages 4096 \
		--template "$REPO_ROOT/scripts/weight-template.hbs" \
		--output "$dir/src/weights.rs"
done
say "done: review and commit the regenerated weights.rs files"
