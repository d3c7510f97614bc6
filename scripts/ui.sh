#!/usr/bin/env bash
# Serve the web app (ui/): installs its npm packages when needed (npm ci), builds it (its
# WebAssembly from client/web, then vite build), and serves ui/dist/ with `vite preview`,
# printing the URL.
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
	# Incremental: cargo and vite rebuild only what changed.
	say "building the web app (npm run build: its WebAssembly, then vite build)"
	npm run build --silent
}

ensure_ui_build
say "web app: http://127.0.0.1:$UI_PORT/${UI_NODE:+?node=$UI_NODE}  (node setting default ws://127.0.0.1:9944; Ctrl-C stops it)"
exec npx vite preview --host 127.0.0.1 --port "$UI_PORT" --strictPort
