"""Benchmarks: generated kernels against hand-written kernels and peers.

Run a benchmark as a module from the repository root, for example
``python -m bench.pagerank --scale 18``. Graphs follow the GAP benchmark
conventions and are cached under ``bench/.data/``.
"""
