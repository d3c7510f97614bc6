#!/usr/bin/env bash
# The FHIR server driven by third-party clients: starts an `ehr-node --dev` (its own
# custodian), sets up a hospital (//Bob), two doctors (//Charlie, //Eve) and a patient (//Dave)
# who grants //Charlie read-and-write consent with the `ehr` CLI, starts `ehr-fhir-server` for
# //Charlie, //Dave and //Eve, and runs client/fhir-server/python/test_fhirclient.py with
# `fhirclient` and `jsonschema` (against HL7's R4 JSON schema) from the venv. Expects the
# workspace built (debug).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$REPO_ROOT"
ensure_python_venv
ensure_fhir_schema

BIN="$CARGO_TARGET_DIR/debug"
WORK="$(mktemp -d -t ehr-fhir-python-XXXXXX)"
PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
RPC_PORT=$(free_port)
CUSTODY_PORT=$(free_port)
P2P_PORT=$(free_port)
export EHR_URL="ws://127.0.0.1:$RPC_PORT"

say "starting ehr-node --dev on $EHR_URL"
"$BIN/ehr-node" --dev --base-path "$WORK/chain" --rpc-port "$RPC_PORT" --port "$P2P_PORT" \
	--custody-listen "127.0.0.1:$CUSTODY_PORT" --no-prometheus >"$WORK/node.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 180); do
	curl -sf -H 'Content-Type: application/json' \
		-d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
		"http://127.0.0.1:$RPC_PORT" >/dev/null && break
	sleep 1
done

say "setting up a hospital, a doctor, a patient and consent"
ehr() { "$BIN/ehr" "$@" >/dev/null; }
ehr --suri //Alice custodian register "http://127.0.0.1:$CUSTODY_PORT"
ehr --suri //Alice hospital register //Bob --name "St Mary" --address "1 Main St" --speciality cardiology
ehr --suri //Bob doctor invite //Charlie --name "Dr Grey" --speciality cardiology
ehr --suri //Charlie doctor accept
ehr --suri //Bob doctor invite //Eve --name "Dr Shepherd" --speciality neurology
ehr --suri //Eve doctor accept
ehr --suri //Charlie patient propose //Dave
ehr --suri //Dave patient register
ehr --suri //Dave consent grant --doctor //Charlie --write
account_of() { # <patient|doctor> <suri>
	"$BIN/ehr" --json "$1" show "$2" | python3 -c 'import json, sys; print(json.load(sys.stdin)["account"])'
}
EHR_PATIENT="$(account_of patient //Dave)"
EHR_OTHER_DOCTOR="$(account_of doctor //Eve)"

# The doctor's server takes bodies up to 256 KiB, so that the 413 check is quick.
EHR_MAX_BODY=262144
start_server() { # <suri> <variable for its URL> [server options]
	local port
	port=$(free_port)
	"$BIN/ehr-fhir-server" --suri "$1" --listen "127.0.0.1:$port" "${@:3}" >>"$WORK/servers.log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 1 60); do
		curl -sf "http://127.0.0.1:$port/metadata" >/dev/null && break
		sleep 0.5
	done
	printf -v "$2" 'http://127.0.0.1:%s' "$port"
}
start_server //Charlie EHR_FHIR_DOCTOR --max-body-bytes "$EHR_MAX_BODY"
start_server //Dave EHR_FHIR_PATIENT
start_server //Eve EHR_FHIR_OTHER

say "running the fhirclient $FHIRCLIENT_VERSION tests"
export EHR_FHIR_DOCTOR EHR_FHIR_PATIENT EHR_FHIR_OTHER EHR_PATIENT EHR_OTHER_DOCTOR EHR_MAX_BODY
export EHR_SAMPLES="$REPO_ROOT/client/fhir/samples" EHR_FHIR_SCHEMA="$FHIR_SCHEMA"
if ! "$EHR_VENV/bin/python" client/fhir-server/python/test_fhirclient.py; then
	echo "---- ehr-fhir-server log ----"; cat "$WORK/servers.log"
	exit 1
fi
