#!/usr/bin/env bash
# The web app's browser tests: installs what a fresh machine lacks (npm, Debian's chromium; no
# browser downloads), installs ui/'s npm packages exactly (npm ci), builds the app (its
# WebAssembly from client/web, then vite build) and runs ui/tests/run.mjs:
# playwright-core drives /usr/bin/chromium through the whole story at 1440×900 and 390×844
# against a fresh `ehr-node --dev` per viewport (EHR_NODE, default the debug build), with axe
# on every screen. Screenshots: ui/test-results/. Prints the bundle size and the timings.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
UI_DIR="$REPO_ROOT/ui"
export EHR_NODE="${EHR_NODE:-$CARGO_TARGET_DIR/debug/ehr-node}"
export EHR_CLI="${EHR_CLI:-$CARGO_TARGET_DIR/debug/ehr}"
if [[ ! -x "$EHR_NODE" ]]; then
	echo "no ehr-node at $EHR_NODE: run scripts/test.sh or scripts/dev.sh first (or set EHR_NODE)" >&2
	exit 1
fi
command -v npm >/dev/null || ensure_apt_packages nodejs npm
[[ -x /usr/bin/chromium ]] || ensure_apt_packages chromium
cd "$UI_DIR"
start=$(now)
say "installing the web app's npm packages (npm ci in ui/)"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund --loglevel=error
say "building the web app (npm run build: its WebAssembly, then vite build)"
npm run build
say "browser tests (chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'))"
npm test
say "web app tests passed in $(($(now) - start)) s"
