#!/bin/bash
# Supervisor: runs decode_fuzz until BUDGET seconds are used, restarting after each crash with
# the next PRNG seed and keeping the crashing input. Usage: run_fuzz.sh <build-dir> <budget-s> [first-seed]
set -u
build=$1; budget=$2; seed=${3:-1}
cd "$build"
export ASAN_OPTIONS=detect_leaks=0:handle_abort=1:symbolize=1:malloc_context_size=20:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=0
mkdir -p fuzz-findings fuzz-logs
start=$(date +%s)
total=0
while :; do
  now=$(date +%s); left=$(( budget - (now - start) ))
  [ $left -le 5 ] && break
  log=fuzz-logs/run-$seed.log
  nice -n 19 timeout $((left + 60)) ./tests/fuzz/decode_fuzz fuzz fuzz-seeds fuzz-findings "$seed" 100000000 "$left" \
    > fuzz-logs/run-$seed.out 2> "$log"
  rc=$?
  echo "run seed=$seed rc=$rc $(grep -c 'FUZZ: it=' "$log") progress lines; $(tail -1 "$log" | head -c 200)"
  if [ $rc -ne 0 ]; then
    cp fuzz-findings/current "fuzz-findings/crash-seed$seed"
    grep -m1 -E "ERROR: AddressSanitizer|SUMMARY|HANG|runtime error" "$log" | head -3
  fi
  seed=$((seed + 1))
done
echo "supervisor done after $(( $(date +%s) - start ))s"
