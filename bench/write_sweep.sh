#!/bin/bash
# The write target at several concurrencies: one `api_bench --phases writes` run (kactor and
# etcd, alternating rounds) per number of requests in flight, then one RESULT line each.
# Usage: bench/write_sweep.sh [build-dir] [in-flight ...]   (default: build, 1 4 16 64 128 256)
# Extra api_bench options go in API_BENCH_ARGS (for example "--runs 5").
set -euo pipefail
build=${1:-build}
shift || true
levels=("$@")
[ ${#levels[@]} -gt 0 ] || levels=(1 4 16 64 128 256)
bench="$build/bench/api_bench"
[ -x "$bench" ] || { echo "write_sweep: no $bench (build first)" >&2; exit 1; }

results=()
for n in "${levels[@]}"; do
  echo "== $n in flight" >&2
  status=0
  # shellcheck disable=SC2086
  out=$("$bench" --phases writes --skip-gateway --connections "$n" ${API_BENCH_ARGS:-}) || status=$?
  printf '%s\n' "$out" >&2
  if line=$(grep '^RESULT pod_create_per_s ' <<<"$out"); then
    results+=("${line/pod_create_per_s/pod_create_per_s_at_$n}")
  else
    results+=("FAILED pod_create_per_s_at_$n (api_bench exit status $status; its lines are above)")
  fi
done
printf '%s\n' "${results[@]}"
