#!/usr/bin/env bash
# Resident memory and disk use of `ehr-node --dev` once it has sealed 100 blocks.
# Blocks are sealed on a 50 ms timer so that 100 of them take seconds, not minutes.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ensure_build_deps
cd "$REPO_ROOT"
# The same build as scripts/test.sh, so that the two share every artifact.
cargo build --workspace --all-targets --locked
BLOCKS="${BLOCKS:-100}"
PORT="${PORT:-19944}"
base="$(mktemp -d)"
"$CARGO_TARGET_DIR/debug/ehr-node" --dev --base-path "$base" --dev-block-time 50 \
	--rpc-port "$PORT" --port 0 --custody-listen 127.0.0.1:0 --no-prometheus >"$base/node.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$base"' EXIT

rpc() {
	curl -s -H 'Content-Type: application/json' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":[]}" "http://127.0.0.1:$PORT"
}
best() { rpc chain_getHeader | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["result"]["number"],16))' 2>/dev/null || echo 0; }

say "waiting for $BLOCKS blocks"
for _ in $(seq 1 600); do
	[[ $(best) -ge $BLOCKS ]] && break
	kill -0 $pid 2>/dev/null || { cat "$base/node.log"; exit 1; }
	sleep 0.2
done
n=$(best)
[[ $n -ge $BLOCKS ]] || { echo "only $n blocks sealed"; exit 1; }
rss_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
disk_kib=$(du -sk "$base/chains" | cut -f1)
say "after $n blocks: resident memory $((rss_kib / 1024)) MiB, disk $((disk_kib / 1024)) MiB ($disk_kib KiB)"
