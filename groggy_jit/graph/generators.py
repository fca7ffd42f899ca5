"""Deterministic synthetic graph generators (GAP benchmark conventions).

Every generator returns ``(src, dst, num_nodes)``: two ``int64`` arrays of the
same length holding one directed edge ``src[i] -> dst[i]`` each, and the number
of nodes. Self loops are removed; duplicate edges may remain (the graph
constructors merge them). For an undirected graph, treat each pair as one
undirected edge (symmetrise when building the adjacency).

All randomness comes from ``numpy.random.default_rng(seed)``, so a given set of
arguments yields the same arrays on every run and every machine.

This module only needs numpy.
"""

from __future__ import annotations

import numbers

import numpy as np

from groggy_jit.errors import GraphInputError

__all__ = ["kronecker_edges", "uniform_random_edges"]

# Integer thresholds are compared against 32-bit random draws: cheaper than
# drawing floats and fine-grained enough (2**-32) for any quadrant probability.
_DRAW_BITS = 32
_DRAW_SCALE = float(1 << _DRAW_BITS)
# Edges generated per block by ``kronecker_edges``.
_BLOCK = 1 << 15


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise GraphInputError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < minimum:
        raise GraphInputError(f"{name} must be >= {minimum}, got {value}")
    return value


def _check_prob(name: str, value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise GraphInputError(f"{name} must be a probability, got {value!r}") from None
    if not (0.0 <= value <= 1.0):
        raise GraphInputError(f"{name} must lie in [0, 1], got {value}")
    return value


def kronecker_edges(scale, edge_factor=16, a=0.57, b=0.19, c=0.19, seed=0):
    """Edges of a Graph500 / GAP Kronecker (R-MAT) graph.

    The graph has ``n = 2**scale`` nodes and ``edge_factor * n`` edges are
    drawn. Each edge picks one of the four quadrants of the adjacency matrix
    with probabilities ``a`` (top left), ``b`` (top right), ``c`` (bottom left)
    and ``d = 1 - a - b - c`` (bottom right), once per bit of the node ids,
    independently. The draws are vectorised with numpy over blocks of
    edges, one bit level at a time. Vertex ids are then relabelled by a
    random permutation, so that ids carry no information about degree, and
    self loops are dropped. Duplicate edges are kept.

    Parameters
    ----------
    scale : int
        Base-2 logarithm of the number of nodes (``scale >= 0``).
    edge_factor : int, default 16
        Number of edges drawn per node, before self loops are removed.
    a, b, c : float, default 0.57, 0.19, 0.19
        Quadrant probabilities (the Graph500 initiator); ``a + b + c <= 1``.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    src, dst : numpy.ndarray of int64
        Edge endpoints, ``src[i] -> dst[i]``, without self loops.
    num_nodes : int
        ``2**scale``.

    Raises
    ------
    GraphInputError
        If an argument is out of range.

    Notes
    -----
    Drawing a quadrant with one uniform number per level gives exactly the
    distribution of the Graph500 reference code, which draws the row bit and
    then the column bit conditioned on it. As in the GAP benchmark suite, the
    result is usually symmetrised and deduplicated before use; that is left to
    the graph constructor.

    References
    ----------
    .. [1] Graph500 Steering Committee, "Graph500 Benchmark Specification",
       version 3.0, section 3 (Kronecker generator), https://graph500.org/
    .. [2] S. Beamer, K. Asanović and D. Patterson, "The GAP Benchmark Suite",
       arXiv:1508.03619, 2015.
    .. [3] D. Chakrabarti, Y. Zhan and C. Faloutsos, "R-MAT: A Recursive Model
       for Graph Mining", SIAM International Conference on Data Mining, 2004.

    Examples
    --------
    >>> src, dst, n = kronecker_edges(4, edge_factor=4, seed=1)
    >>> n
    16
    >>> bool((src != dst).all())
    True
    """
    scale = _check_int("scale", scale, 0)
    if scale > 40:
        raise GraphInputError(f"scale must be <= 40, got {scale}")
    edge_factor = _check_int("edge_factor", edge_factor, 0)
    a = _check_prob("a", a)
    b = _check_prob("b", b)
    c = _check_prob("c", c)
    if a + b + c > 1.0 + 1e-12:
        raise GraphInputError(f"a + b + c must be <= 1, got {a + b + c}")

    rng = np.random.default_rng(seed)
    n = 1 << scale
    m = edge_factor * n
    perm = rng.permutation(n).astype(np.int64, copy=False)

    # Cumulative quadrant thresholds on [0, 2**32). Each uniform 32-bit draw r
    # picks quadrant a if r < t_a, b if r < t_ab, c if r < t_abc, else d; the
    # row bit is (r >= t_ab) and the column bit is the parity of the three
    # comparisons (0 for a, 1 for b, 0 for c, 1 for d).
    thresholds = [_threshold(a), _threshold(a + b), _threshold(a + b + c)]
    acc_dtype = np.uint32 if scale <= 32 else np.uint64

    src = np.empty(m, dtype=np.int64)
    dst = np.empty(m, dtype=np.int64)
    # Work in fixed-size blocks of edges so the temporaries stay cache sized;
    # the block size is part of the draw order, so it must never depend on
    # the machine.
    block = _BLOCK
    row = np.empty(block, dtype=acc_dtype)
    col = np.empty(block, dtype=acc_dtype)
    bit = np.empty(block, dtype=bool)
    tmp = np.empty(block, dtype=bool)
    prow = np.empty(block, dtype=np.int64)
    pcol = np.empty(block, dtype=np.int64)
    kept = 0
    for start in range(0, m, block):
        k = min(block, m - start)
        r = _uniform_u32(rng, scale * k).reshape(scale, k)
        row_k, col_k, bit_k, tmp_k = row[:k], col[:k], bit[:k], tmp[:k]
        row_k[:] = 0
        col_k[:] = 0
        for level in range(scale):
            r_l = r[level]
            weight = acc_dtype(1 << level)
            _ge(r_l, thresholds[1], tmp_k)
            row_k += tmp_k.view(np.uint8) * weight
            _ge(r_l, thresholds[0], bit_k)
            bit_k ^= tmp_k
            _ge(r_l, thresholds[2], tmp_k)
            bit_k ^= tmp_k
            col_k += bit_k.view(np.uint8) * weight
        # relabel, drop self loops, append to the output
        prow_k, pcol_k = prow[:k], pcol[:k]
        np.take(perm, row_k, out=prow_k)
        np.take(perm, col_k, out=pcol_k)
        np.not_equal(prow_k, pcol_k, out=bit_k)
        nk = int(np.count_nonzero(bit_k))
        np.compress(bit_k, prow_k, out=src[kept : kept + nk])
        np.compress(bit_k, pcol_k, out=dst[kept : kept + nk])
        kept += nk
    return src[:kept], dst[:kept], n


def _threshold(p: float):
    """``round(p * 2**32)``; ``None`` when no 32-bit draw can reach it."""
    t = int(round(p * _DRAW_SCALE))
    return None if t >= (1 << _DRAW_BITS) else np.uint32(t)


def _ge(r, t, out):
    """``out[:] = r >= t`` for a threshold from ``_threshold``."""
    if t is None:
        out[:] = False
    else:
        np.greater_equal(r, t, out=out)


def _uniform_u32(rng, count):
    """``count`` uniform 32-bit draws, identical on little and big endian."""
    raw = rng.bit_generator.random_raw((count + 1) // 2)
    return raw.astype("<u8", copy=False).view("<u4")[:count]


def uniform_random_edges(num_nodes, num_edges, seed=0):
    """Edges of a uniform random graph (the GAP "urand" family).

    ``num_edges`` edges are drawn with both endpoints independent and uniform
    over ``range(num_nodes)`` (an Erdős–Rényi-style multigraph); self loops are
    then dropped. Duplicate edges are kept.

    Parameters
    ----------
    num_nodes : int
        Number of nodes (``>= 0``; with 0 nodes no edge can be drawn).
    num_edges : int
        Number of edges drawn, before self loops are removed.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    src, dst : numpy.ndarray of int64
        Edge endpoints, ``src[i] -> dst[i]``, without self loops.
    num_nodes : int
        The number of nodes, as given.

    Raises
    ------
    GraphInputError
        If an argument is out of range.

    References
    ----------
    .. [1] S. Beamer, K. Asanović and D. Patterson, "The GAP Benchmark Suite",
       arXiv:1508.03619, 2015.
    .. [2] P. Erdős and A. Rényi, "On Random Graphs I", Publicationes
       Mathematicae 6, 1959.

    Examples
    --------
    >>> src, dst, n = uniform_random_edges(100, 400, seed=3)
    >>> n, bool((src != dst).all()), bool(src.max() < 100)
    (100, True, True)
    """
    num_nodes = _check_int("num_nodes", num_nodes, 0)
    num_edges = _check_int("num_edges", num_edges, 0)
    if num_nodes == 0:
        if num_edges:
            raise GraphInputError("cannot draw edges on a graph with 0 nodes")
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), 0
    rng = np.random.default_rng(seed)
    src = rng.integers(0, num_nodes, size=num_edges, dtype=np.int64)
    dst = rng.integers(0, num_nodes, size=num_edges, dtype=np.int64)
    keep = src != dst
    return src[keep], dst[keep], num_nodes
