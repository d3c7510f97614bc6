#!/usr/bin/env bash
# Start ehr-chain on its embedded default and its web app: one `ehr-node --dev` that seals a
# block as soon as a transaction arrives and finalises it at once (RPC ws://127.0.0.1:9944, HTTP
# on the same port; custody service, pieces over HTTP with CORS open to any origin,
# http://127.0.0.1:9955), and the web app on http://127.0.0.1:5173 (UI_PORT changes it).
# Extra arguments go to ehr-node, e.g. `scripts/dev.sh --dev-block-time 6000`.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ensure_build_deps
cd "$REPO_ROOT"
say "building ehr-node (the first build takes a while: see README)"
# The same build as scripts/test.sh, so that the two share every artifact.
cargo build --workspace --all-targets --locked
say "starting ehr-node --dev on ws://127.0.0.1:9944, custody on http://127.0.0.1:9955 (Ctrl-C stops both; the chain is discarded)"
"$CARGO_TARGET_DIR/debug/ehr-node" --dev --tmp --rpc-cors all "$@" &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null; wait "$node_pid" 2>/dev/null' EXIT INT TERM
"$REPO_ROOT/scripts/ui.sh"
