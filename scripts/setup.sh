#!/usr/bin/env bash
# Installs every Debian package that kactor's build, tests and benchmarks need.
# Idempotent; run as root on Debian 12.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache git curl python3 clang-format
  libcaf-dev libboost1.81-dev libsimdjson-dev liblmdb-dev lmdb-utils libspdlog-dev libfmt-dev
  libyaml-cpp-dev libgtest-dev libgmock-dev libssl-dev libjemalloc-dev zlib1g-dev libabsl-dev
  etcd-server etcd-client
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages: ${missing[*]}; run this script as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: installed ${missing[*]}"
