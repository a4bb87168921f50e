#!/usr/bin/env bash
# Sets up, builds, and starts a single-host kactor cluster from config/single-host.yaml.
# Extra arguments go to `kactor server` (e.g. --http-address 127.0.0.1:18080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
exec build/kactor server --config config/single-host.yaml "$@"
