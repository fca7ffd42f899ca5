"""Shared benchmark helpers: GAP-style graphs, timing and table output."""

from __future__ import annotations

import hashlib
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import scipy.sparse as sp

from groggy_jit.graph.generators import kronecker_edges, uniform_random_edges

__all__ = [
    "DATA_DIR",
    "Timing",
    "edges_to_csr",
    "kron_graph_csr",
    "urand_graph_csr",
    "cached_csr",
    "timeit",
    "print_table",
    "fmt_ms",
]

# Generated graphs are cached here (not tracked by git).
DATA_DIR = Path(__file__).resolve().parent / ".data"
# Bump when the generator or the symmetrisation changes, to invalidate caches.
_FORMAT_VERSION = 2


def edges_to_csr(src, dst, num_nodes, symmetric=True):
    """Unweighted CSR adjacency from edge arrays, GAP style.

    Self loops and duplicate edges are dropped; with ``symmetric=True`` every
    edge is also added reversed (an undirected graph stored as two arcs).
    Stored values are 1.0; indices and indptr are int32 when they fit.

    Returns
    -------
    scipy.sparse.csr_array
        The out-adjacency, with sorted column indices.
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    if symmetric:
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    A = sp.coo_array(
        (np.ones(src.shape[0], dtype=np.float64), (src, dst)), shape=(num_nodes, num_nodes)
    ).tocsr()  # sums duplicates, sorts indices
    A.data[:] = 1.0
    return _with_index_dtype(A.indptr, A.indices, num_nodes)


def _with_index_dtype(indptr, indices, num_nodes):
    idx = np.int32 if max(int(indptr[-1]), num_nodes) < np.iinfo(np.int32).max else np.int64
    A = sp.csr_array(
        (np.ones(indices.shape[0], dtype=np.float64), indices.astype(idx), indptr.astype(idx)),
        shape=(num_nodes, num_nodes),
    )
    A.has_sorted_indices = True
    A.has_canonical_format = True
    return A


def _checksum(indptr, indices, num_nodes) -> str:
    """SHA-256 of a graph's CSR arrays: a cached file must match it to be used."""
    h = hashlib.sha256(str(int(num_nodes)).encode())
    for a in (indptr, indices):
        h.update(np.ascontiguousarray(a, dtype=np.int64).tobytes())
    return h.hexdigest()


def cached_csr(name: str, build: Callable[[], sp.csr_array], cache: bool):
    """``build()``, cached as ``DATA_DIR/<name>_v<format>.npz`` with a checksum.

    A cached file whose arrays do not match its stored checksum (truncated,
    edited, or written by another version) is rebuilt, never used.
    """
    path = DATA_DIR / f"{name}_v{_FORMAT_VERSION}.npz"
    if cache and path.exists():
        try:
            with np.load(path) as z:
                indptr, indices, n = z["indptr"], z["indices"], int(z["num_nodes"])
                if str(z["sha256"]) == _checksum(indptr, indices, n):
                    return _with_index_dtype(indptr, indices, n)
        except (OSError, ValueError, KeyError):
            pass  # unreadable: rebuild and overwrite
    A = build()
    if cache:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=DATA_DIR, suffix=".npz.tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, indptr=A.indptr, indices=A.indices, num_nodes=A.shape[0],
                         sha256=_checksum(A.indptr, A.indices, A.shape[0]))
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    return A


def kron_graph_csr(scale, edge_factor=16, seed=0, cache=True):
    """The GAP Kronecker graph ``kron<scale>`` as CSR, symmetrised.

    Graph500 parameters (A=0.57, B=C=0.19), ``edge_factor`` edges per node,
    random vertex permutation; then self loops and duplicates are dropped and
    every edge is stored in both directions.

    Returns
    -------
    out_csr, in_csr : scipy.sparse.csr_array
        Out- and in-adjacency (int32 indices). The graph is undirected, so
        both are the same object.
    """
    name = f"kron_s{scale}_ef{edge_factor}_seed{seed}"
    A = cached_csr(name, lambda: edges_to_csr(*kronecker_edges(scale, edge_factor, seed=seed)), cache)
    return A, A


def urand_graph_csr(scale, edge_factor=16, seed=0, cache=True):
    """The GAP uniform random graph ``urand<scale>`` as CSR, symmetrised.

    Returns ``(out_csr, in_csr)`` like ``kron_graph_csr``.
    """
    n = 1 << scale
    name = f"urand_s{scale}_ef{edge_factor}_seed{seed}"
    A = cached_csr(
        name, lambda: edges_to_csr(*uniform_random_edges(n, edge_factor * n, seed=seed)), cache
    )
    return A, A


@dataclass
class Timing:
    """Wall-clock times of repeated calls, in milliseconds."""

    median_ms: float
    min_ms: float
    max_ms: float
    times_ms: list = field(default_factory=list)
    result: Any = None  # return value of the last call


def timeit(fn: Callable[[], Any], repeat: int = 5, warmup: int = 1) -> Timing:
    """Time ``fn()`` ``repeat`` times after ``warmup`` untimed calls.

    The warm-up call absorbs JIT compilation and first-touch costs.
    """
    if repeat < 1:
        raise ValueError("repeat must be >= 1")
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return Timing(statistics.median(times), min(times), max(times), times, result)


def fmt_ms(ms: float) -> str:
    """Milliseconds with a sensible number of digits."""
    if ms >= 100:
        return f"{ms:.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    return f"{ms:.2f}"


def print_table(rows: Sequence[Sequence[Any]], headers: Sequence[str], file=None) -> None:
    """Print rows as a plain aligned text table (numbers right aligned)."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [
        all(_is_number(r[i]) for r in rows if r[i] not in (None, "")) and any(True for _ in rows)
        for i in range(len(headers))
    ]

    def line(r):
        return "  ".join(
            c.rjust(w) if num else c.ljust(w) for c, w, num in zip(r, widths, numeric)
        ).rstrip()

    print(line(cells[0]), file=file)
    print("  ".join("-" * w for w in widths), file=file)
    for r in cells[1:]:
        print(line(r), file=file)


def _is_number(value) -> bool:
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True
    try:
        float(str(value).rstrip("x%"))
        return True
    except ValueError:
        return False
