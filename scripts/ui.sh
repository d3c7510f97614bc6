#!/usr/bin/env bash
# Serve the web app (ui/): installs its npm packages when needed (npm ci), builds it when its
# sources are newer than the build (vite build, after the browser WebAssembly when the set-up
# script can build it), and serves ui/dist/ with `vite preview`, printing the URL.
#   UI_PORT   port to serve on (default 5173)
#   UI_NODE   node the page connects to by default (default: the page's own default, ws://127.0.0.1:9944)
# The page remembers its node setting; `?node=ws://host:port` in the URL changes it.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
UI_DIR="$REPO_ROOT/ui"
UI_PORT="${UI_PORT:-5173}"

ensure_ui_build() {
	command -v npm >/dev/null || ensure_apt_packages nodejs npm
	cd "$UI_DIR"
	if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
		say "installing the web app's npm packages (npm ci in ui/)"
		npm ci --no-audit --no-fund --loglevel=error
	fi
	# The records pipeline's WebAssembly (client/web), when the set-up script knows how to build it.
	if [[ -z "${UI_SKIP_WASM:-}" && -d "$REPO_ROOT/client/web" ]] && declare -F build_web_wasm >/dev/null; then
		if [[ ! -f src/wasm/ehr_web_bg.wasm ]] \
			|| [[ -n "$(find "$REPO_ROOT/client/web" "$REPO_ROOT/custody/protocol" "$REPO_ROOT/primitives" -newer src/wasm/ehr_web_bg.wasm -type f -print -quit 2>/dev/null)" ]]; then
			build_web_wasm
		fi
	fi
	if [[ ! -f dist/index.html || -n "$(find src index.html vite.config.ts package-lock.json -newer dist/index.html -type f -print -quit)" ]]; then
		say "building the web app (npm run build)"
		npm run build --silent
	else
		say "the web app's build in ui/dist is up to date"
	fi
}

ensure_ui_build
say "web app: http://127.0.0.1:$UI_PORT/${UI_NODE:+?node=$UI_NODE}  (node setting default ws://127.0.0.1:9944; Ctrl-C stops it)"
exec npx vite preview --host 127.0.0.1 --port "$UI_PORT" --strictPort
