#!/usr/bin/env bash
# Headless Chromium for the browser tests of the HTML views (tests/test_views*.py), from
# Debian's packages: Playwright drives /usr/bin/chromium and never downloads a browser.
# Idempotent: does nothing when /usr/bin/chromium is there.
# CITYDIPLO_SKIP_BROWSER=1 skips the install; the browser tests are then reported as skipped.
set -euo pipefail

if [[ "${CITYDIPLO_SKIP_BROWSER:-}" == "1" ]]; then
    echo "browser.sh: CITYDIPLO_SKIP_BROWSER=1, not installing Chromium (browser tests will be skipped)"
    exit 0
fi

if [[ -x /usr/bin/chromium ]]; then
    exit 0
fi

as_root=()
if [[ "$(id -u)" != "0" ]]; then
    if ! command -v sudo >/dev/null; then
        echo "browser.sh: Chromium is missing and installing it needs root (no sudo here);" \
            "run 'apt-get install chromium chromium-driver' as root, or set CITYDIPLO_SKIP_BROWSER=1" >&2
        exit 1
    fi
    as_root=(sudo)
fi

echo "browser.sh: installing Debian's chromium and chromium-driver"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
