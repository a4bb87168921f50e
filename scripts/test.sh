#!/usr/bin/env bash
# Sets up, builds, and runs every test (unit, in-process integration and end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
cd build
ctest --output-on-failure --timeout 900 -j"$(nproc)"
