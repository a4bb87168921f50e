#!/usr/bin/env python3
"""Delta-debugging minimizer for an input that crashes decode_fuzz (ASan/UBSan/abort).
minimize_crash.py <decode_fuzz> <input> <output> [max_runs]: keeps inputs whose crash report has
the same SUMMARY line (or, for UBSan, the same 'runtime error' line)."""
import os, re, subprocess, sys, tempfile

exe, src, dst = sys.argv[1:4]
max_runs = int(sys.argv[4]) if len(sys.argv) > 4 else 300
env = dict(os.environ, ASAN_OPTIONS='detect_leaks=0:symbolize=1',
           UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1')

def signature(data):
    with tempfile.NamedTemporaryFile(delete=False) as f:
        f.write(data)
    try:
        p = subprocess.run(['nice', '-n', '19', exe, 'repro', f.name], env=env,
                           capture_output=True, timeout=60)
        err = p.stderr.decode('latin-1')
    except subprocess.TimeoutExpired:
        return 'timeout'
    finally:
        os.unlink(f.name)
    m = re.search(r'SUMMARY: \S+: (.*)', err) or re.search(r'(\S+:\d+:\d+: runtime error: .*)', err)
    return m.group(1).strip() if m else None

data = open(src, 'rb').read()
target = signature(data)
print('signature:', target)
if not target:
    sys.exit('does not crash')
runs = 0
chunk = max(len(data) // 2, 1)
while chunk >= 1 and runs < max_runs:
    progress = False
    i = 0
    while i < len(data) and runs < max_runs:
        cand = data[:i] + data[i + chunk:]
        runs += 1
        if signature(cand) == target:
            data = cand
            progress = True
        else:
            i += chunk
    if not progress:
        if chunk == 1:
            break
        chunk //= 2
open(dst, 'wb').write(data)
print(f'{len(data)} bytes after {runs} runs')
