#!/usr/bin/env bash
# Starts the local network of zombienet/local.toml (four validators and a full node, every one a
# custodian) with the debug binaries, registers the custodians and the patient //Ferdie, and
# prints each node's RPC and custody endpoints. Runs until Ctrl-C, which stops every node.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
use_debug_binaries
ensure_zombienet

dir="$(mktemp -d -t ehr-zombienet.XXXXXX)/network"
say "starting zombienet/local.toml in $dir (its log: $dir.log)"
"$ZOMBIENET_DIR/node_modules/.bin/zombienet" --provider native --spawn-concurrency 5 --logType text \
	--dir "$dir" spawn "$ZOMBIENET_DIR/local.toml" >"$dir.log" 2>&1 &
spawner=$!
# Ctrl-C reaches zombienet too, which stops the nodes; this only waits for it.
trap 'wait "$spawner"' INT TERM

# zombienet writes zombie.json once every node runs.
until [[ -f "$dir/zombie.json" ]]; do
	if ! kill -0 "$spawner" 2>/dev/null; then
		tail -n 40 "$dir.log" >&2
		echo "zombienet stopped before the network was up (log: $dir.log)" >&2
		exit 1
	fi
	sleep 1
done
node "$ZOMBIENET_DIR/lib/setup.js" "$dir"
say "network running; Ctrl-C stops it"
wait "$spawner"
