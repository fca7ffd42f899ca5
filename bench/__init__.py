"""Benchmarks: generated kernels against hand-written kernels and peers.

``python -m bench`` (``--quick`` for a short run) runs every kernel on every
graph with every installed library and writes a table and plots; see
``bench/__main__.py``. The older single-topic benchmarks run the same way,
for example ``python -m bench.pagerank --scale 18``. Graphs follow the GAP
benchmark conventions and are cached under ``bench/.data/``.
"""

import os

# Benchmarks time kernels: no timed call may be answered by the interpreter while a
# background compile runs, as groggy-jit's default ``auto`` tier would on a first call.
os.environ.setdefault("GROGGY_JIT_TIER", "kernel")
