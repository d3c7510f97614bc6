#!/usr/bin/env bash
# Start ehr-chain on its embedded default: one `ehr-node --dev` that seals a block as soon as a
# transaction arrives and finalises it at once. RPC: ws://127.0.0.1:9944 (HTTP on the same port);
# custody service (pieces over HTTP, CORS open to any origin): http://127.0.0.1:9955.
# Extra arguments go to ehr-node, e.g. `scripts/dev.sh --dev-block-time 6000`.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ensure_build_deps
cd "$REPO_ROOT"
say "building ehr-node (the first build takes a while: see README)"
# The same build as scripts/test.sh, so that the two share every artifact.
cargo build --workspace --all-targets --locked
say "starting ehr-node --dev on ws://127.0.0.1:9944, custody on http://127.0.0.1:9955 (Ctrl-C stops it; the chain is discarded)"
exec "$CARGO_TARGET_DIR/debug/ehr-node" --dev --tmp --rpc-cors all "$@"
