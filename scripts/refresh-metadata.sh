#!/usr/bin/env bash
# Refresh `client/metadata/ehr-runtime.scale`, the runtime metadata that `ehr-client`'s typed API
# is generated from. Run it after every runtime change (the `metadata_is_fresh` test fails until
# you do), then rebuild the client.
#
# It starts a throwaway `ehr-node --dev --tmp` on free ports, asks it over HTTP JSON-RPC for its
# newest stable metadata version (the one subxt itself fetches at run time, and the only one that
# describes runtime APIs), writes the SCALE bytes to the file, and stops the node.
#
# The node binary is `$EHR_NODE_BIN` if set, else `$CARGO_TARGET_DIR/debug/ehr-node`
# (`~/.cache/ehr-chain/target` by default). Build it first with the same command as scripts/test.sh: `cargo build --workspace --all-targets --locked` (a `-p` build enables other features and recompiles most of the tree).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

NODE_BIN="${EHR_NODE_BIN:-$CARGO_TARGET_DIR/debug/ehr-node}"
OUT="$REPO_ROOT/client/metadata/ehr-runtime.scale"

[[ -x "$NODE_BIN" ]] || {
	echo "error: no ehr-node binary at $NODE_BIN: build it with 'cargo build --workspace --all-targets --locked' or set EHR_NODE_BIN" >&2
	exit 1
}
# A binary older than the runtime's sources would yield stale metadata.
newer="$(find "$REPO_ROOT/runtime" "$REPO_ROOT/pallets" "$REPO_ROOT/primitives" \
	-type f -newer "$NODE_BIN" -print -quit 2>/dev/null || true)"
if [[ -n "$newer" ]]; then
	echo "warning: $newer is newer than $NODE_BIN; rebuild with 'cargo build --workspace --all-targets --locked' first" >&2
fi

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
RPC_PORT="$(free_port)"
P2P_PORT="$(free_port)"
LOG="$(mktemp -t ehr-node-metadata.XXXXXX)"

say "starting $NODE_BIN --dev --tmp (RPC on 127.0.0.1:$RPC_PORT, log in $LOG)"
"$NODE_BIN" --dev --tmp --rpc-port "$RPC_PORT" --port "$P2P_PORT" --custody-listen 127.0.0.1:0 --no-prometheus >"$LOG" 2>&1 &
NODE_PID=$!
stop_node() {
	if kill -0 "$NODE_PID" 2>/dev/null; then
		say "stopping the node (pid $NODE_PID)"
		kill "$NODE_PID" 2>/dev/null || true
		wait "$NODE_PID" 2>/dev/null || true
	fi
	rm -f "$LOG"
}
trap stop_node EXIT

# rpc METHOD [JSON_PARAMS]: the raw JSON-RPC response on stdout.
rpc() {
	curl -sS --max-time 10 -H 'Content-Type: application/json' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":${2:-[]}}" \
		"http://127.0.0.1:$RPC_PORT"
}

say "waiting (up to 180 s: a debug node spends most of its start building genesis) for RPC"
for _ in $(seq 1 1800); do
	rpc system_health >/dev/null 2>&1 && break
	if ! kill -0 "$NODE_PID" 2>/dev/null; then
		echo "error: ehr-node exited before its RPC came up; its log:" >&2
		cat "$LOG" >&2
		exit 1
	fi
	sleep 0.1
done
rpc system_health >/dev/null 2>&1 || {
	echo "error: ehr-node's RPC did not answer within 180 s; its log:" >&2
	cat "$LOG" >&2
	exit 1
}

# `Metadata_metadata_versions` returns a SCALE `Vec<u32>`; u32::MAX marks the unstable version.
version="$(rpc state_call '["Metadata_metadata_versions", "0x"]' | python3 -c '
import json, sys
raw = bytes.fromhex(json.load(sys.stdin)["result"][2:])
# compact length prefix: the node lists a handful of versions, so one byte (mode 0b00).
assert raw[0] & 0b11 == 0, "unexpected compact length encoding"
count = raw[0] >> 2
versions = [int.from_bytes(raw[1 + 4 * i:5 + 4 * i], "little") for i in range(count)]
print(max(v for v in versions if v != 0xFFFFFFFF))
')"
say "fetching metadata V$version (Metadata_metadata_at_version)"
version_hex="$(python3 -c "import sys; print('0x' + int(sys.argv[1]).to_bytes(4, 'little').hex())" "$version")"

# `Metadata_metadata_at_version` returns a SCALE `Option<Vec<u8>>`: strip the `Some` byte and the
# compact length, check the length and the `meta` magic, and write the bytes.
mkdir -p "$(dirname "$OUT")"
rpc state_call "[\"Metadata_metadata_at_version\", \"$version_hex\"]" | python3 -c '
import json, sys
response = json.load(sys.stdin)
if "result" not in response:
    sys.exit(f"error: state_call failed: {response}")
raw = bytes.fromhex(response["result"][2:])
if raw[:1] != b"\x01":
    sys.exit("error: the node has no metadata at that version")
raw = raw[1:]
mode = raw[0] & 0b11
if mode == 0:
    length, offset = raw[0] >> 2, 1
elif mode == 1:
    length, offset = int.from_bytes(raw[:2], "little") >> 2, 2
elif mode == 2:
    length, offset = int.from_bytes(raw[:4], "little") >> 2, 4
else:
    sys.exit("error: metadata larger than 1 GiB?")
metadata = raw[offset:]
if len(metadata) != length or metadata[:4] != b"meta":
    sys.exit(f"error: malformed metadata ({len(metadata)} bytes, {length} announced)")
with open(sys.argv[1], "wb") as out:
    out.write(metadata)
' "$OUT"

say "wrote $OUT ($(wc -c <"$OUT") bytes, metadata V$version); rebuild ehr-client to regenerate its typed API"
