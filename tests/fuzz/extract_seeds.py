#!/usr/bin/env python3
"""Collects seed bodies for decode_fuzz: examples/*.yaml, raw string literals of tests/api/*.cpp,
JSON/YAML string and dict literals of tests/e2e/*.py, tests/api/testdata/*. One file per seed."""
import ast, glob, hashlib, json, os, re, sys

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
seen = set()

def add(data, tag):
    if isinstance(data, str):
        data = data.encode('utf-8', 'surrogateescape')
    if not data or len(data) > 200000:
        return
    h = hashlib.sha1(data).hexdigest()[:16]
    if h in seen:
        return
    seen.add(h)
    with open(os.path.join(out, f'{tag}_{h}'), 'wb') as f:
        f.write(data)

for p in sorted(glob.glob(f'{src}/examples/*.yaml')):
    text = open(p, 'rb').read()
    add(text, 'ex')
    for doc in re.split(rb'^---\s*$', text, flags=re.M):
        if doc.strip():
            add(doc, 'ex')

for p in sorted(glob.glob(f'{src}/tests/api/testdata/*')):
    if p.endswith('.md'):
        continue
    add(open(p, 'rb').read(), 'td')

raw = re.compile(r'R"([^(\s]{0,16})\((.*?)\)\1"', re.S)
for p in sorted(glob.glob(f'{src}/tests/api/*.cpp')):
    for m in raw.finditer(open(p, encoding='utf-8', errors='surrogateescape').read()):
        body = m.group(2)
        if len(body.strip()) >= 2:
            add(body, 'cpp')

for p in sorted(glob.glob(f'{src}/tests/e2e/*.py')):
    try:
        tree = ast.parse(open(p).read())
    except SyntaxError:
        continue
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            v = node.value
            s = v if isinstance(v, str) else v.decode('latin-1')
            st = s.strip()
            if len(st) >= 2 and (st[0] in '{[' or 'apiVersion' in st or 'kind:' in st):
                add(v, 'py')
        elif isinstance(node, (ast.Dict, ast.List)):
            try:
                v = ast.literal_eval(node)
            except Exception:
                continue
            if isinstance(v, dict) and v or isinstance(v, list) and v and isinstance(v[0], dict):
                try:
                    add(json.dumps(v), 'py')
                except Exception:
                    pass
print(len(seen), 'seeds')
