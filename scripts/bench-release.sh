#!/usr/bin/env bash
# The release figures in README. Builds the node, the CLI, the benches and the examples in
# release (niced, in the shared target directory: about 40 minutes the first time), then runs
# - client/benches/custody_network.rs: five nodes on `--chain local`, each a custodian, k = 3;
# - client/benches/dev_node.rs: transfers to finality, a 1 MiB read with open_access, the audit
#   trail of a patient on a chain of 10,000 blocks;
# - the bulk import example: 1 KiB FHIR bundles, 8 doctors in parallel, against a release
#   `ehr-node --dev`;
# - client/fhir-server/benches/fhir_server.rs: a 10 KiB resource created and read through the
#   FHIR server (1 and 4 clients) against the same calls through `ehr-client`.
# Pass the names of the parts to run (`custody dev-node bulk-import fhir-server`), or none for all.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ensure_build_deps
cd "$REPO_ROOT"
parts=("$@")
((${#parts[@]})) || parts=(custody dev-node bulk-import fhir-server)

start=$(now)
say "building in release"
nice -n 19 cargo build --release --locked --workspace --bins --benches --examples
say "release build: $(($(now) - start)) s"
release="$CARGO_TARGET_DIR/release"

# The newest build of bench `$1` (cargo names it `<bench>-<hash>` under deps/).
bench() {
	find "$release/deps" -maxdepth 1 -type f -executable -name "$1-*" -printf '%T@ %p\n' |
		sort -n | tail -1 | cut -d' ' -f2
}

for part in "${parts[@]}"; do
	began=$(now)
	case "$part" in
	custody)
		say "custody: five custodians on a local network"
		"$(bench custody_network)"
		;;
	dev-node)
		say "ehr-node --dev: transfers, a 1 MiB read, the audit trail"
		"$(bench dev_node)"
		;;
	bulk-import)
		say "bulk import: 1 KiB bundles, 8 doctors in parallel"
		base="$(mktemp -d)"
		rpc=$((20000 + RANDOM % 10000)) custody=$((30000 + RANDOM % 10000))
		# The custody rate limit is per client address, and every doctor here is 127.0.0.1.
		"$release/ehr-node" --dev --base-path "$base" --rpc-port "$rpc" --port 0 \
			--custody-listen "127.0.0.1:$custody" --custody-rate-limit 1000000 \
			--no-prometheus >"$base/node.log" 2>&1 &
		node=$!
		trap 'kill $node 2>/dev/null; wait $node 2>/dev/null; rm -rf "$base"' EXIT
		for _ in $(seq 1 300); do
			curl -s -H 'Content-Type: application/json' \
				-d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
				"http://127.0.0.1:$rpc" | grep -q result && break
			kill -0 $node 2>/dev/null || { cat "$base/node.log"; exit 1; }
			sleep 0.2
		done
		"$release/examples/bulk_import" --url "ws://127.0.0.1:$rpc" \
			--custody "http://127.0.0.1:$custody" --generate 40x10 --size-kib 1 --doctors 8
		kill $node
		wait $node 2>/dev/null || true
		rm -rf "$base"
		trap - EXIT
		;;
	fhir-server)
		say "the FHIR server: a 10 KiB Condition, 1 and 4 clients, against ehr-client"
		"$(bench fhir_server)"
		;;
	*)
		echo "unknown part $part (custody, dev-node, bulk-import, fhir-server)" >&2
		exit 2
		;;
	esac
	say "$part: $(($(now) - began)) s"
done
