#!/usr/bin/env bash
# The JavaScript the HTML views inline:
# - vis-network 9.1.2 ships inside the pinned pyvis package (pyvis/lib/vis-9.1.2): only checked;
# - the WebGL renderer for large graphs, sigma.js 3 + graphology from the npm registry (pinned
#   in views/js/package-lock.json), bundled by esbuild (pinned) into one IIFE file,
#   views/js/dist/sigma-bundle.js.
# Idempotent and quick when done: the bundle is rebuilt only when package-lock.json, package.json
# or entry.js changed since the last build (a stamp of their sha256 next to the bundle).
# Needs Node and npm (CI has Node 20); without them it stops with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
python=".venv/bin/python"
[[ -x "$python" ]] || python=python3
"$python" - <<'PY'
from citydiplo.views.html import VIS_NETWORK
if not VIS_NETWORK.exists():
    raise SystemExit(f"install-assets.sh: {VIS_NETWORK} is missing; reinstall pyvis 0.3.2")
PY

js=views/js
bundle="$js/dist/sigma-bundle.js"
stamp="$js/dist/.stamp"
wanted="$(cat "$js/package-lock.json" "$js/package.json" "$js/entry.js" | sha256sum | cut -d' ' -f1)"
if [[ -f "$bundle" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    exit 0
fi
if ! command -v npm >/dev/null; then
    echo "install-assets.sh: npm is missing; install Node 20 and npm to build the WebGL renderer" \
        "($bundle), or write views with --renderer vis" >&2
    exit 1
fi
echo "install-assets.sh: building $bundle (sigma.js + graphology, npm ci + esbuild)"
(
    cd "$js"
    npm ci --no-audit --no-fund --loglevel=error
    npm run --silent build
)
echo "$wanted" >"$stamp"
