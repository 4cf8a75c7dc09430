#!/bin/bash
# tile_shapes_rep.sh N [dtype,B,M,K,N ...]: tile_shapes_ab.py in N fresh processes (operand placement
# differs between processes), then per shape the median (and range) of new/variant, new/head and matmul/new.
# Needs PYTHONPATH set as for tile_shapes_ab.py; run from anywhere with the project's python first on PATH.
N=${1:-3}
RAW=$(mktemp)
for i in $(seq "$N"); do NUMBA_NUM_THREADS=1 python "$(dirname "$0")/tile_shapes_ab.py" "${@:2}"; done > "$RAW"
RAW="$RAW" python - <<'PY'
import collections, os, re, statistics as st
d = collections.defaultdict(list)
for line in open(os.environ["RAW"]):
    m = re.match(r'(\S+ B=\s*\d+ \S+):.*new\s+([\d.]+)\s+variant\s+([\d.]+)\s+head\s+([\d.]+)\s+matmul\s+([\d.]+)', line)
    if m:
        d[m.group(1)].append(tuple(float(v) for v in m.groups()[1:]))
for k, v in d.items():
    nv = [b / a for a, b, c, e in v]; nh = [c / a for a, b, c, e in v]; nm = [e / a for a, b, c, e in v]
    print(f"{k:24s} new/variant {st.median(nv):.2f} [{min(nv):.2f}-{max(nv):.2f}]  "
          f"new/head {st.median(nh):.2f} [{min(nh):.2f}-{max(nh):.2f}]  matmul/new {st.median(nm):.2f}")
PY
rm -f "$RAW"
