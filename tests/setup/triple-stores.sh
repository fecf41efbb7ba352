#!/usr/bin/env bash
# The server triple stores the remote-store tests run against, on loopback:
# - Apache Jena Fuseki (version pinned in tests/fuseki/pom.xml), fetched from Maven Central
#   into tests/fuseki/lib/; needs Java 17 and Maven. CITYDIPLO_SKIP_JAVA=1 skips it (the
#   Fuseki tests are then reported as skipped).
# - the Oxigraph server, the `oxigraph` wheel installed in .venv by `make install`.
# Idempotent: a stamp (the pom's checksum) makes a second run instant.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ ! -x .venv/bin/oxigraph ]]; then
    echo "triple-stores: .venv/bin/oxigraph is missing; run make install (test extras)" >&2
    exit 1
fi

if [[ "${CITYDIPLO_SKIP_JAVA:-}" == "1" ]]; then
    echo "triple-stores: CITYDIPLO_SKIP_JAVA=1, not fetching Fuseki (its tests will be skipped)"
    exit 0
fi

for tool in java mvn; do
    if ! command -v "$tool" >/dev/null; then
        echo "triple-stores: $tool not found; install Java 17 and Maven, or set CITYDIPLO_SKIP_JAVA=1" >&2
        exit 1
    fi
done

pom=tests/fuseki/pom.xml
jar=tests/fuseki/lib/jena-fuseki-server.jar
stamp=tests/fuseki/lib/.stamp
wanted=$(sha256sum "$pom" | cut -d' ' -f1)
if [[ -f "$jar" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    exit 0
fi
echo "triple-stores: fetching Apache Jena Fuseki from Maven Central"
mvn -q -B -f "$pom" package
echo "$wanted" > "$stamp"
