#!/usr/bin/env bash
# Being built.
set -euo pipefail
