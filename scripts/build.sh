#!/usr/bin/env bash
# Installs the dependencies (when missing) and builds kactor into build/.
#
# The build is profile-guided: the first time, kactor is built with instrumentation and serves
# a short api_bench load (creates, gets, lists, watches; about a minute), then everything is
# built with the branch and call counts that run recorded (admission_bench: ~30% less CPU per
# pod create). The profile stays in build/pgo-profile for later builds.
#   --retrain       records the profile again (after large changes to the request path)
#   KACTOR_PGO=off  builds without a profile
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then
  scripts/setup.sh
elif ! scripts/setup.sh >/dev/null 2>&1; then
  sudo scripts/setup.sh
fi

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
configure() {
  cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKACTOR_PGO="$1" \
    >/dev/null
}
build() { cmake --build build -j"$(nproc)" "$@"; }

profile=build/pgo-profile
[ "${1:-}" = "--retrain" ] && rm -rf "$profile"
if [ "${KACTOR_PGO:-on}" = off ]; then
  configure off
elif [ ! -f "$profile/trained" ]; then
  rm -rf "$profile"
  configure generate
  build --target kactor api_bench
  echo "build.sh: recording a profile of kactor's request path (api_bench --quick)"
  if build/bench/api_bench --quick --skip-etcd --kactor build/kactor >build/pgo-training.log 2>&1
  then
    touch "$profile/trained"
    configure use
  else
    echo "build.sh: the profiling run failed (build/pgo-training.log); building without a profile" >&2
    rm -rf "$profile"
    configure off
  fi
else
  configure use
fi
build
