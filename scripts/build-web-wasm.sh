#!/usr/bin/env bash
# The web app's WebAssembly: ehr-web (client/web) built for the browser, its bindings written to
# ui/src/wasm/. The web app's `npm run build` and `npm run dev` run this first.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
build_web_wasm
