#!/usr/bin/env bash
# The Neo4j the tests run against: builds tests/neo4j-server (an in-process Neo4j 5.26 LTS from
# the official test harness, with APOC core) with Maven; its dependencies are cached in ~/.m2.
# Idempotent and quick: rebuilds only when pom.xml or the Java source changed (a stamp holds
# their checksum).
# CITYDIPLO_SKIP_JAVA=1 or CITYDIPLO_SKIP_NEO4J=1 skips the build; the Neo4j tests are then
# reported as skipped. Without either, missing Java or Maven is an error.
set -euo pipefail

for variable in CITYDIPLO_SKIP_JAVA CITYDIPLO_SKIP_NEO4J; do
    if [[ "${!variable:-}" == "1" ]]; then
        echo "neo4j-server.sh: $variable=1, not building the Neo4j test server (Neo4j tests will be skipped)"
        exit 0
    fi
done

project="$(cd "$(dirname "$0")/../neo4j-server" && pwd)"
for tool in java mvn; do
    if ! command -v "$tool" >/dev/null; then
        echo "neo4j-server.sh: '$tool' is missing: install Java 17 and Maven" \
            "(Debian: apt-get install openjdk-17-jdk-headless maven)," \
            "or set CITYDIPLO_SKIP_NEO4J=1 to skip the Neo4j tests" >&2
        exit 1
    fi
done

stamp="$project/target/.built"
checksum="$(cat "$project/pom.xml" $(find "$project/src" -type f | sort) | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$checksum" && -f "$project/target/classpath.txt" ]]; then
    exit 0
fi

echo "neo4j-server.sh: building the Neo4j test server (first run downloads ~150 MB into ~/.m2)"
(cd "$project" && mvn -q -B package)
echo "$checksum" > "$stamp"
