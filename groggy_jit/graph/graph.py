"""The immutable adjacency container that compiled kernels read.

A :class:`Graph` holds the arcs of a graph twice: grouped by source (the
out-CSR) and grouped by target (the in-CSR, i.e. the transpose).  Both are
plain numpy arrays, read-only, with sorted neighbour lists and no duplicate
arcs, so a kernel can take them as arguments without any further checks.

Construction goes through :mod:`scipy.sparse` (COO -> CSR with duplicate
summing, CSR -> CSC for the transpose), so it runs at C speed on graphs with
tens of millions of arcs.  Every problem with the input raises
:class:`~groggy_jit.errors.GraphInputError` with a message naming the
offending value.
"""

from __future__ import annotations

import numbers
import os
import sys
from itertools import chain
from operator import methodcaller

import numpy as np

from ..errors import GraphInputError

__all__ = ["Graph", "as_graph"]

# int32 indices are used when both the node count and the arc count stay
# strictly below this value (kernels may compute n + 1 or nnz + 1).
_INT32_LIMIT = 2**31 - 1

_ACCEPTED = (
    "a groggy_jit Graph, a scipy.sparse matrix or array, a dense 2-D numpy "
    "array (adjacency matrix), or a networkx Graph/DiGraph/MultiGraph/MultiDiGraph"
)

_FIELDS = (
    "num_nodes",
    "num_edges",
    "directed",
    "index_dtype",
    "out_indptr",
    "out_indices",
    "out_weights",
    "in_indptr",
    "in_indices",
    "in_weights",
    "out_degree",
    "in_degree",
    "node_labels",
)


def _sparse():
    """Import scipy.sparse lazily (keeps ``import groggy_jit`` light)."""
    import scipy.sparse as sps

    return sps


def _is_sparse(obj) -> bool:
    sps = sys.modules.get("scipy.sparse")
    return sps is not None and sps.issparse(obj)


def is_networkx(obj) -> bool:
    """Whether ``obj`` is a networkx graph, subclasses included (never imports networkx)."""
    nx = sys.modules.get("networkx")
    return nx is not None and isinstance(obj, nx.Graph)


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _check_real_dtype(dtype: np.dtype, what: str) -> None:
    """Accept bool, integer and floating dtypes; reject everything else."""
    if dtype == np.bool_ or np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating):
        return
    raise GraphInputError(
        f"{what} has dtype {dtype}, which is not a real number type; "
        "edge weights and node ids must be bool, integer or floating point "
        "(convert with .astype(float) or .astype(int))"
    )


def _check_finite(values: np.ndarray, what: str, where=None) -> None:
    """Raise if ``values`` holds NaN or +-inf; ``where(i)`` describes position i."""
    if values.size == 0:
        return
    finite = np.isfinite(values)
    if finite.all():
        return
    bad = np.flatnonzero(~finite)
    first = int(bad[0])
    place = where(first) if where is not None else f"index {first}"
    raise GraphInputError(
        f"{what} contain {bad.size} non-finite value(s) (NaN or inf); the first is "
        f"{float(values[first])!r} at {place}. Remove those edges or replace the weights "
        "with finite numbers."
    )


def _as_id_array(ids, name: str) -> np.ndarray:
    """Validate a 1-D array of node ids; return it as int32 or int64 (no copy if already)."""
    arr = np.asarray(ids)
    if arr.ndim != 1:
        raise GraphInputError(f"{name} must be a 1-D array of node ids, got shape {arr.shape}")
    if arr.size == 0:
        return np.empty(0, dtype=np.int64)
    if arr.dtype == np.bool_ or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise GraphInputError(
            f"{name} has dtype {arr.dtype}; node ids must be integers (0 .. num_nodes-1)"
        )
    if np.issubdtype(arr.dtype, np.floating):
        ok = np.isfinite(arr) & (arr == np.floor(arr)) & (np.abs(arr) < 2.0**62)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise GraphInputError(
                f"{name} holds a value that is not an integer node id: {arr[i].item()!r} "
                f"at index {i}"
            )
        return arr.astype(np.int64)
    if arr.dtype in (np.int32, np.int64):
        return arr
    if arr.dtype == np.uint64 and arr.max() > np.iinfo(np.int64).max:
        i = int(np.argmax(arr))
        raise GraphInputError(f"{name} holds an out-of-range node id {int(arr[i])} at index {i}")
    return arr.astype(np.int64)


def _memory_bytes() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 2**40


# bytes per node a Graph holds at least: two index pointers and two degrees
_BYTES_PER_NODE = 32


def _check_node_count(n: int, what: str) -> None:
    """Refuse a node count whose per-node arrays alone exceed this machine's memory."""
    need = n * _BYTES_PER_NODE
    have = _memory_bytes()
    if need > have:
        raise GraphInputError(
            f"{what} has {n:,} nodes, which needs {need / 2**30:,.0f} GiB for its per-node "
            f"arrays alone, more than this machine's {have / 2**30:,.0f} GiB; node ids must "
            "be 0 .. k-1: relabel them (np.unique(np.concatenate([src, dst]), "
            "return_inverse=True) does it)"
        )


def _index_dtype(n: int, nnz: int) -> np.dtype:
    if n < _INT32_LIMIT and nnz < _INT32_LIMIT:
        return np.dtype(np.int32)
    return np.dtype(np.int64)


def _arc_location(indptr: np.ndarray, indices: np.ndarray, labels=None):
    """Return a function describing stored position ``i`` as an arc ``(u, v)``."""

    def where(i: int) -> str:
        u = int(np.searchsorted(indptr, i, side="right")) - 1
        v = int(indices[i])
        if labels is not None:
            return f"arc {labels[u]!r} -> {labels[v]!r}"
        return f"arc ({u}, {v})"

    return where


def _canonical_csr(A):
    """Sum duplicates and sort the column indices of a csr_array in place."""
    A.sum_duplicates()  # also sorts indices
    A.sort_indices()
    return A


def _mirror_upper(U):
    """Symmetric CSR from a canonical upper-triangular (incl. diagonal) CSR ``U``.

    Row ``r`` of the result is the strictly-lower part (the transpose of U's
    strictly-upper part, columns ``< r``) followed by row ``r`` of ``U``
    (columns ``>= r``), so both pieces are sorted and nothing needs merging.
    """
    sps = _sparse()
    n = U.shape[0]
    up = U.indptr.astype(np.int64)
    ucnt = np.diff(up)
    rows = np.repeat(np.arange(n, dtype=U.indices.dtype), ucnt)
    off = U.indices != rows
    # coo -> csr is a stable counting sort: each lower row comes out sorted
    L = sps.coo_array((U.data[off], (U.indices[off], rows[off])), shape=(n, n)).tocsr()
    del rows, off
    lp = L.indptr.astype(np.int64)
    nnz = L.nnz + U.nnz
    indices = np.empty(nnz, dtype=U.indices.dtype)
    data = np.empty(nnz, dtype=U.data.dtype)
    pos = np.repeat(up[:-1], np.diff(lp))
    pos += np.arange(L.nnz, dtype=np.int64)
    indices[pos] = L.indices
    data[pos] = L.data
    pos = np.repeat(lp[1:], ucnt)
    pos += np.arange(U.nnz, dtype=np.int64)
    indices[pos] = U.indices
    data[pos] = U.data
    del pos, L
    indptr = lp + up
    A = sps.csr_array((data, indices, indptr), shape=(n, n), copy=False)
    A.has_sorted_indices = True
    A.has_canonical_format = True
    return A


class Graph:
    """Immutable compressed-sparse adjacency of a directed or undirected graph.

    Arcs are stored twice, as an out-CSR (grouped by source) and as an in-CSR
    (grouped by target, the exact transpose).  An undirected edge ``{u, v}``
    with ``u != v`` is stored as the two arcs ``u -> v`` and ``v -> u``; an
    undirected self loop is stored once.  For undirected graphs the in-CSR
    arrays are the out-CSR arrays (same objects).

    Build one with :meth:`from_scipy`, :meth:`from_networkx`,
    :meth:`from_edges`, :func:`~groggy_jit.graph.read_edgelist`,
    :func:`~groggy_jit.graph.read_matrix_market` or :func:`as_graph`;
    ``Graph(obj, weight=None, directed=None)`` is a shortcut for
    :func:`as_graph` (with ``directed`` passed on for matrix input).

    Attributes
    ----------
    num_nodes : int
        Number of nodes ``n``; nodes are ``0 .. n-1``.
    num_edges : int
        Number of stored arcs (non-zeros of the out-CSR).
    directed : bool
        Whether the graph is directed.
    index_dtype : numpy.dtype
        ``int32`` when ``n`` and the arc count are both below ``2**31 - 1``,
        else ``int64``.
    out_indptr, out_indices : numpy.ndarray
        Out-CSR: the targets of ``u`` are
        ``out_indices[out_indptr[u]:out_indptr[u + 1]]``, sorted ascending,
        without duplicates.  Both of ``index_dtype``, C-contiguous, read-only.
    out_weights : numpy.ndarray or None
        float64 weights aligned with ``out_indices``, or None if unweighted.
    in_indptr, in_indices, in_weights : numpy.ndarray or None
        In-CSR (transpose): the sources of arcs into ``v`` are
        ``in_indices[in_indptr[v]:in_indptr[v + 1]]``, sorted ascending.
    out_degree, in_degree : numpy.ndarray
        int64 arc counts per node (a self loop counts once).
    node_labels : list or None
        Original node objects (networkx input), position ``i`` labelling node
        ``i``; None when the nodes are just the ints ``0 .. n-1`` in order.
    """

    __slots__ = _FIELDS

    # ------------------------------------------------------------------ init
    def __init__(self, data, weight=None, directed=None):
        if _is_sparse(data) or isinstance(data, np.ndarray):
            g = Graph.from_scipy(data, directed=directed)
        else:
            g = as_graph(data, weight=weight)
        for name in _FIELDS:
            object.__setattr__(self, name, getattr(g, name))

    def __setattr__(self, name, value):
        raise AttributeError(f"Graph is immutable; cannot set {name!r}")

    def __delattr__(self, name):
        raise AttributeError(f"Graph is immutable; cannot delete {name!r}")

    def __getstate__(self):
        return {name: getattr(self, name) for name in _FIELDS}

    def __setstate__(self, state):
        # Kernels index these arrays without bounds checks: a damaged or edited pickle
        # must fail here, not crash the interpreter later.
        problem = _state_problem(state)
        if problem:
            raise GraphInputError(
                f"cannot unpickle this Graph: {problem}. The pickle is damaged or was made "
                "by hand; rebuild the graph from its source (Graph.from_edges, from_scipy, "
                "from_networkx) and pickle it again"
            )
        for name in _FIELDS:
            value = state[name]
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
            object.__setattr__(self, name, value)
        if not self.directed:                   # the transpose is the same arrays
            for name in ("indptr", "indices", "weights"):
                object.__setattr__(self, f"in_{name}", getattr(self, f"out_{name}"))

    @classmethod
    def _build(cls, A, *, directed, weighted, labels=None, symmetric=None):
        """Make a Graph from a canonical ``csr_array`` ``A`` (consumed).

        ``A`` must have sorted, duplicate-free indices and finite data.
        ``symmetric=True`` asserts that ``A`` equals its transpose bit for bit
        (then the transpose is not computed); ``None`` means "find out".
        """
        sps = _sparse()
        n = int(A.shape[0])
        nnz = int(A.nnz)
        idx = _index_dtype(n, nnz)

        out_indptr = np.ascontiguousarray(A.indptr, dtype=idx)
        out_indices = np.ascontiguousarray(A.indices, dtype=idx)
        out_weights = np.ascontiguousarray(A.data, dtype=np.float64) if weighted else None

        if symmetric is None:
            data = A.data if weighted else np.ones(nnz, dtype=np.bool_)
            T = sps.csr_array((data, out_indices, out_indptr), shape=(n, n)).T.tocsr()
            T.sort_indices()
            in_indptr = np.ascontiguousarray(T.indptr, dtype=idx)
            in_indices = np.ascontiguousarray(T.indices, dtype=idx)
            in_weights = np.ascontiguousarray(T.data, dtype=np.float64) if weighted else None
            del T
            symmetric = np.array_equal(in_indptr, out_indptr) and np.array_equal(
                in_indices, out_indices
            )
            if symmetric and weighted:
                symmetric = np.array_equal(in_weights, out_weights)
        if directed is None:
            directed = not symmetric
        elif not directed and not symmetric:
            raise GraphInputError(_asymmetry_message(A, labels))

        if symmetric:
            # the transpose is the matrix itself: share the arrays
            in_indptr, in_indices, in_weights = out_indptr, out_indices, out_weights

        out_degree = np.diff(out_indptr).astype(np.int64)
        in_degree = out_degree if symmetric else np.diff(in_indptr).astype(np.int64)

        g = object.__new__(cls)
        values = {
            "num_nodes": n,
            "num_edges": nnz,
            "directed": bool(directed),
            "index_dtype": idx,
            "out_indptr": out_indptr,
            "out_indices": out_indices,
            "out_weights": out_weights,
            "in_indptr": in_indptr,
            "in_indices": in_indices,
            "in_weights": in_weights,
            "out_degree": out_degree,
            "in_degree": in_degree,
            "node_labels": labels,
        }
        for name, value in values.items():
            if isinstance(value, np.ndarray):
                _readonly(value)
            object.__setattr__(g, name, value)
        return g

    # ----------------------------------------------------------- properties
    @property
    def weighted(self) -> bool:
        """Whether the graph carries edge weights (``out_weights is not None``)."""
        return self.out_weights is not None

    @property
    def fingerprint(self) -> tuple:
        """Cheap identity tuple ``(n, arcs, directed, index dtype, weighted)``."""
        return (self.num_nodes, self.num_edges, self.directed, self.index_dtype.str, self.weighted)

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        w = "weighted" if self.weighted else "unweighted"
        return (
            f"Graph(n={self.num_nodes}, arcs={self.num_edges}, {kind}, {w}, "
            f"{self.index_dtype.name})"
        )

    # -------------------------------------------------------- constructors
    @classmethod
    def from_scipy(cls, matrix, directed=None) -> "Graph":
        """Build a graph from an adjacency matrix.

        Parameters
        ----------
        matrix : scipy.sparse matrix or array, or numpy.ndarray
            Square ``n x n`` adjacency; ``matrix[u, v] != 0`` is an arc
            ``u -> v`` with weight ``matrix[u, v]``.  Duplicate stored
            entries are summed (in float64).  An explicitly stored zero (also
            one produced by summing) is an arc of weight 0, as in
            ``scipy.sparse.csgraph`` and ``networkx.from_scipy_sparse_array``;
            call ``matrix.eliminate_zeros()`` first to drop them.  In a dense
            array, 0 means no arc.
        directed : bool or None, optional
            None (default): directed unless the matrix is symmetric.  False:
            undirected; the matrix must then be symmetric.  True: directed.

        Returns
        -------
        Graph
            Unweighted if every stored value is 1, else weighted (float64).

        Raises
        ------
        GraphInputError
            If the input is not 2-D, not square, not of a real number dtype,
            holds NaN/inf values, or ``directed=False`` and it is not
            symmetric.
        """
        sps = _sparse()
        if sps.issparse(matrix):
            ndim = len(matrix.shape)
            if ndim != 2:
                raise GraphInputError(
                    f"adjacency matrix must be 2-D, got a {ndim}-D sparse array of shape "
                    f"{matrix.shape}"
                )
            _check_real_dtype(matrix.dtype, "adjacency matrix")
            # to float64 before duplicates are summed: int8/int16 sums would overflow
            if matrix.format == "csr":
                A = sps.csr_array(matrix, dtype=np.float64, copy=True)
            else:
                A = sps.csr_array(matrix.astype(np.float64).tocsr())
        elif isinstance(matrix, np.ndarray):
            dense = np.asarray(matrix)
            if dense.ndim != 2:
                raise GraphInputError(
                    f"adjacency matrix must be 2-D, got a {dense.ndim}-D array of shape "
                    f"{dense.shape}"
                )
            _check_real_dtype(dense.dtype, "adjacency matrix")
            A = sps.csr_array(dense.astype(np.float64, copy=False))
        else:
            raise GraphInputError(
                f"from_scipy expects a scipy.sparse matrix/array or a 2-D numpy array, "
                f"got {type(matrix).__module__}.{type(matrix).__qualname__}"
            )
        if A.shape[0] != A.shape[1]:
            raise GraphInputError(
                f"adjacency matrix must be square, got shape {tuple(A.shape)}"
            )
        _check_node_count(int(A.shape[0]), f"an adjacency matrix of shape {tuple(A.shape)}")
        _canonical_csr(A)
        _check_finite(A.data, "adjacency matrix values", _arc_location(A.indptr, A.indices))
        weighted = not bool(np.all(A.data == 1.0))
        if directed is not None:
            directed = bool(directed)
        return cls._build(A, directed=directed, weighted=weighted)

    @classmethod
    def from_edges(cls, src, dst, weights=None, num_nodes=None, directed=True) -> "Graph":
        """Build a graph from parallel arrays of edge endpoints.

        Parameters
        ----------
        src, dst : array_like of int
            Endpoints of each edge, node ids in ``0 .. num_nodes-1``.  Float
            arrays are accepted when every value is integral.
        weights : array_like of float, optional
            One weight per edge; None (default) makes an unweighted graph.
            Negative and zero weights are kept.
        num_nodes : int, optional
            Number of nodes; default ``max(src, dst) + 1`` (0 if no edges).
        directed : bool, optional
            True (default): each pair is an arc ``src -> dst``.  False: each
            pair is an undirected edge, stored as both arcs (a self loop once).

        Returns
        -------
        Graph
            Duplicate arcs are merged; their weights are summed.  For an
            undirected graph ``(u, v)`` and ``(v, u)`` name the same edge, so
            listing both gives two parallel edges whose weights are summed.

        Raises
        ------
        GraphInputError
            On arrays of different lengths, non-integer or negative ids, ids
            ``>= num_nodes``, a weights length mismatch or NaN/inf weights.
        """
        src = _as_id_array(src, "src")
        dst = _as_id_array(dst, "dst")
        if src.shape[0] != dst.shape[0]:
            raise GraphInputError(
                f"src and dst must have the same length, got {src.shape[0]} and {dst.shape[0]}"
            )
        m = src.shape[0]
        w = None
        if weights is not None:
            w = np.asarray(weights)
            if w.ndim != 1:
                raise GraphInputError(f"weights must be a 1-D array, got shape {w.shape}")
            _check_real_dtype(w.dtype, "weights")
            if w.shape[0] != m:
                raise GraphInputError(
                    f"weights has length {w.shape[0]} but there are {m} edges (len(src))"
                )
            w = w.astype(np.float64, copy=False)
            _check_finite(w, "weights", lambda i: f"index {i} (edge {src[i]} -> {dst[i]})")

        for name, arr in (("src", src), ("dst", dst)):
            if m and arr.min() < 0:
                i = int(np.argmax(arr < 0))
                raise GraphInputError(
                    f"{name} holds a negative node id {int(arr[i])} at index {i}; "
                    "node ids must be 0 .. num_nodes-1"
                )
        top = int(max(src.max(), dst.max())) if m else -1
        if num_nodes is None:
            n = top + 1
            if m:
                name, arr = ("src", src) if src.max() == top else ("dst", dst)
                _check_node_count(n, f"{name} holds node id {top} (index "
                                     f"{int(np.argmax(arr))}), so the graph")
        else:
            try:
                n = int(num_nodes)
            except (TypeError, ValueError):
                raise GraphInputError(f"num_nodes must be an integer, got {num_nodes!r}") from None
            if n != num_nodes or n < 0:
                raise GraphInputError(
                    f"num_nodes must be a non-negative integer, got {num_nodes!r}"
                )
            _check_node_count(n, f"num_nodes={n}: the graph")
            if top >= n:
                name, arr = ("src", src) if src.max() >= n else ("dst", dst)
                i = int(np.argmax(arr >= n))
                raise GraphInputError(
                    f"{name} holds node id {int(arr[i])} at index {i}, but num_nodes={n} "
                    f"(ids must be < {n}); pass a larger num_nodes or fix the edge"
                )
        return cls._from_valid_edges(src, dst, w, n, bool(directed))

    @classmethod
    def _from_valid_edges(cls, src, dst, w, n, directed):
        """Build from validated int64 endpoint arrays and float64 weights (or None)."""
        sps = _sparse()
        small = n < _INT32_LIMIT
        if small:
            src = src.astype(np.int32, copy=False)
            dst = dst.astype(np.int32, copy=False)
        weighted = w is not None
        if directed:
            data = w if weighted else np.ones(src.shape[0], dtype=np.bool_)
            A = sps.coo_array((data, (src, dst)), shape=(n, n)).tocsr()
            _canonical_csr(A)
            return cls._build(A, directed=True, weighted=weighted)

        # Undirected: sum duplicates on the upper triangle first, then mirror,
        # so both arcs of an edge get bit-identical weights.
        lo = np.minimum(src, dst)
        hi = np.maximum(src, dst)
        del src, dst
        data = w if weighted else np.ones(lo.shape[0], dtype=np.bool_)
        U = sps.coo_array((data, (lo, hi)), shape=(n, n)).tocsr()
        del lo, hi, data
        _canonical_csr(U)
        A = _mirror_upper(U)
        del U
        return cls._build(A, directed=False, weighted=weighted, symmetric=True)

    @classmethod
    def from_networkx(cls, G, weight=None, parallel="sum") -> "Graph":
        """Build a graph from a networkx graph.

        Parameters
        ----------
        G : networkx.Graph, DiGraph, MultiGraph or MultiDiGraph
            Node ``i`` of the result is ``list(G.nodes)[i]``; the node objects
            are kept in :attr:`node_labels` unless they are exactly the ints
            ``0 .. n-1`` in that order.  ``directed = G.is_directed()``.
        weight : str, optional
            Edge attribute holding the weight; an edge without it weighs 1.0.
            None (default) makes an unweighted graph.
        parallel : {"sum", "min", None}
            How the parallel edges of a multigraph combine into one arc, as
            networkx treats them: ``"sum"`` (default) adds their weights, and
            without ``weight`` counts them (degree, PageRank); ``"min"`` keeps
            the lightest (shortest paths; unweighted, they merge into one
            arc); None refuses multigraphs.

        Returns
        -------
        Graph

        Raises
        ------
        GraphInputError
            If ``G`` is not a networkx graph, a weight is not a finite real
            number, or ``G`` is a multigraph and ``parallel`` is None.
        """
        if not is_networkx(G):
            raise GraphInputError(
                f"from_networkx expects a networkx graph, got "
                f"{type(G).__module__}.{type(G).__qualname__}"
            )
        sps = _sparse()
        labels = list(G.nodes)
        n = len(labels)
        directed = bool(G.is_directed())
        multi = bool(G.is_multigraph())
        if parallel not in ("sum", "min", None):
            raise GraphInputError(f"parallel={parallel!r}: use 'sum', 'min' or None")
        if multi and parallel is None:
            raise GraphInputError(f"this algorithm is not defined for multigraphs ({type(G).__name__}); "
                                  "merge the parallel edges first, e.g. nx.Graph(G) or nx.DiGraph(G)")
        # G.adjacency() gives every arc (both directions of an undirected
        # edge, a self loop once) with at most one entry per (u, v) pair.
        adj = dict(G.adjacency())
        rows = [adj[u] for u in labels]
        del adj
        counts = np.fromiter(map(len, rows), dtype=np.int64, count=n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        nnz = int(indptr[-1])
        idx = _index_dtype(n, nnz)
        index = {node: i for i, node in enumerate(labels)}
        indices = np.fromiter(
            map(index.__getitem__, chain.from_iterable(rows)), dtype=idx, count=nnz
        )
        del index
        where = _arc_location(indptr, indices, labels)
        weighted = weight is not None
        if weight is None and multi and parallel == "sum":
            # networkx counts every parallel edge (degree, PageRank's matrix)
            data = np.fromiter(map(len, chain.from_iterable(r.values() for r in rows)),
                               dtype=np.float64, count=nnz)
            weighted = bool(np.any(data != 1.0))
        elif weight is None:
            data = np.ones(nnz, dtype=np.bool_)
        else:
            get = methodcaller("get", weight, 1.0)
            attrs = chain.from_iterable(r.values() for r in rows)
            if multi:
                # one key dict per arc; the two arcs of an undirected edge share
                # it, so their sums are bit-identical
                keydicts = list(attrs)
                sizes = np.fromiter(map(len, keydicts), dtype=np.int64, count=nnz)
                vals = list(map(get, chain.from_iterable(kd.values() for kd in keydicts)))
                del keydicts
                starts = np.zeros(nnz, dtype=np.int64)
                np.cumsum(sizes[:-1], out=starts[1:])
                arc_of = lambda i: int(np.searchsorted(starts, i, side="right")) - 1  # noqa: E731
            else:
                vals = list(map(get, attrs))
                arc_of = int
            flat = _real_weights(vals, weight, lambda i: where(arc_of(i)))
            del vals
            _check_finite(flat, f"edge weights ({weight!r})", lambda i: where(arc_of(i)))
            combine = np.minimum if parallel == "min" else np.add
            data = combine.reduceat(flat, starts) if (multi and nnz) else flat
        del rows
        A = sps.csr_array((data, indices, indptr), shape=(n, n), copy=False)
        A.has_sorted_indices = False
        A.sort_indices()
        if all(type(x) is int and x == i for i, x in enumerate(labels)):
            labels = None  # nodes are already 0 .. n-1 in order
        return cls._build(
            A,
            directed=directed,
            weighted=weighted,
            labels=labels,
            symmetric=None if directed else True,
        )

    def reversed(self) -> "Graph":
        """The same graph with every arc turned around (shares this graph's arrays)."""
        g = object.__new__(Graph)
        for name in _FIELDS:
            swapped = name.replace("out_", "\0").replace("in_", "out_").replace("\0", "in_")
            object.__setattr__(g, swapped, getattr(self, name))
        return g

    def without_weights(self) -> "Graph":
        """The same arcs, unweighted (shares this graph's arrays)."""
        if not self.weighted:
            return self
        g = object.__new__(Graph)
        for name in _FIELDS:
            object.__setattr__(g, name, getattr(self, name))
        object.__setattr__(g, "out_weights", None)
        object.__setattr__(g, "in_weights", None)
        return g

    # -------------------------------------------------------------- export
    def to_scipy(self, copy=True):
        """Return the out-CSR as a ``scipy.sparse.csr_array``.

        Parameters
        ----------
        copy : bool, optional
            True (default): the result owns fresh arrays and may be modified.
            False: the result shares this graph's read-only index arrays.

        Returns
        -------
        scipy.sparse.csr_array
            ``n x n``, entry ``[u, v]`` is the arc weight (1.0 if unweighted).
        """
        sps = _sparse()
        n = self.num_nodes
        if self.weighted:
            data = self.out_weights.copy() if copy else self.out_weights
        else:
            data = np.ones(self.num_edges, dtype=np.float64)
        indptr = self.out_indptr.copy() if copy else self.out_indptr
        indices = self.out_indices.copy() if copy else self.out_indices
        A = sps.csr_array((data, indices, indptr), shape=(n, n), copy=False)
        A.has_sorted_indices = True
        return A

    def label_map(self, values):
        """Attach node labels to a per-node result.

        Parameters
        ----------
        values : array_like
            One value per node, in node order.

        Returns
        -------
        dict or numpy.ndarray
            ``{label: value}`` with Python scalars when :attr:`node_labels` is
            set, else ``values`` unchanged.

        Raises
        ------
        GraphInputError
            If labels are set and ``len(values) != num_nodes``.
        """
        if self.node_labels is None:
            return values
        arr = np.asarray(values)
        if arr.ndim == 0 or arr.shape[0] != self.num_nodes:
            raise GraphInputError(
                f"label_map needs one value per node ({self.num_nodes}), got shape {arr.shape}"
            )
        return dict(zip(self.node_labels, arr.tolist()))


def _csr_problem(indptr, indices, weights, n: int, m: int, side: str, idx) -> str | None:
    """What is wrong with one CSR of a Graph's state, or None."""
    for name, a, size in ((f"{side}_indptr", indptr, n + 1), (f"{side}_indices", indices, m)):
        if not isinstance(a, np.ndarray) or a.dtype != idx or a.shape != (size,):
            return (f"{name} should be a {idx} array of length {size}, got "
                    f"{type(a).__name__} {getattr(a, 'dtype', '')} {getattr(a, 'shape', '')}")
    if indptr[0] != 0 or indptr[-1] != m or np.any(np.diff(indptr) < 0):
        return f"{side}_indptr does not run from 0 up to the arc count {m}"
    if m and (indices.min() < 0 or indices.max() >= n):
        return f"{side}_indices holds node ids outside 0 .. {n - 1}"
    # a step down (or a repeat) is allowed only where a new neighbour list starts
    steps = np.flatnonzero(np.diff(indices) <= 0) + 1
    if steps.size and not np.isin(steps, indptr).all():
        return f"the neighbour lists of {side}_indices are not sorted and duplicate-free"
    if weights is not None and (not isinstance(weights, np.ndarray) or weights.dtype != np.float64
                                or weights.shape != (m,)):
        return f"{side}_weights should be None or a float64 array of length {m}"
    return None


def _state_problem(state) -> str | None:
    """Why a pickled state cannot be a Graph, or None (checks every invariant kernels rely on)."""
    if not isinstance(state, dict) or set(state) != set(_FIELDS):
        return "its fields are not those of a Graph"
    n, m, idx = state["num_nodes"], state["num_edges"], state["index_dtype"]
    if type(n) is not int or type(m) is not int or n < 0 or m < 0:
        return f"num_nodes={n!r} and num_edges={m!r} must be non-negative integers"
    if idx not in (np.dtype(np.int32), np.dtype(np.int64)):
        return f"index_dtype={idx!r} is neither int32 nor int64"
    if (state["out_weights"] is None) != (state["in_weights"] is None):
        return "only one of out_weights and in_weights is set"
    for side in ("out", "in"):
        problem = _csr_problem(state[f"{side}_indptr"], state[f"{side}_indices"],
                               state[f"{side}_weights"], n, m, side, idx)
        if problem:
            return problem
    for side in ("out", "in"):
        deg = state[f"{side}_degree"]
        if not (isinstance(deg, np.ndarray) and deg.dtype == np.int64
                and np.array_equal(deg, np.diff(state[f"{side}_indptr"]))):
            return f"{side}_degree does not match {side}_indptr"
    # O(m), no transpose: each node's arcs in one CSR are counted by the other's targets
    for side, other in (("out", "in"), ("in", "out")):
        if not np.array_equal(np.bincount(state[f"{other}_indices"], minlength=n),
                              state[f"{side}_degree"]):
            return "the in-CSR is not the transpose of the out-CSR"
    if not state["directed"] and not (np.array_equal(state["in_indptr"], state["out_indptr"])
                                      and np.array_equal(state["in_indices"], state["out_indices"])):
        return "it is marked undirected but its adjacency is not symmetric"
    labels = state["node_labels"]
    if labels is not None and (not isinstance(labels, list) or len(labels) != n):
        return f"node_labels should be None or a list of {n} labels"
    return None


def _real_weight(x) -> float:
    """``float(x)`` for real numbers (int, float, bool, numpy scalars, Fraction)."""
    if isinstance(x, (numbers.Real, np.bool_)):
        return float(x)
    raise TypeError(f"not a real number: {x!r}")


def _real_weights(vals: list, weight, where) -> np.ndarray:
    """Convert attribute values to float64, rejecting str, None, complex, ..."""
    try:
        if set(map(type, vals)) <= {float, int}:  # fast path, the usual case
            return np.array(vals, dtype=np.float64)
        return np.fromiter(map(_real_weight, vals), dtype=np.float64, count=len(vals))
    except (TypeError, ValueError, OverflowError):
        pass
    for i, x in enumerate(vals):
        try:
            _real_weight(x)
        except (TypeError, ValueError, OverflowError):
            raise GraphInputError(
                f"edge attribute {weight!r} must be a real number, but {where(i)} has {x!r}"
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _asymmetry_message(A, labels) -> str:
    """Describe the first entry where ``A`` differs from its transpose."""
    D = (A - A.T).tocoo()
    D.eliminate_zeros()
    if D.nnz:
        order = np.lexsort((D.col, D.row))
        u, v = int(D.row[order[0]]), int(D.col[order[0]])
        a_uv = float(A[u, v])
        a_vu = float(A[v, u])
        name = (lambda i: repr(labels[i])) if labels is not None else str
        detail = (
            f"; e.g. entry ({name(u)}, {name(v)}) is {a_uv!r} but ({name(v)}, {name(u)}) "
            f"is {a_vu!r}"
        )
    else:  # pragma: no cover - differs only in ways subtraction cannot see
        detail = ""
    return (
        "directed=False needs a symmetric adjacency matrix, but this one is not symmetric"
        f"{detail}. Pass directed=True (or None to detect), or symmetrise it "
        "(e.g. A.maximum(A.T))"
    )


def as_graph(obj, weight=None, parallel="sum") -> Graph:
    """Turn any supported graph object into a :class:`Graph`.

    Parameters
    ----------
    obj : Graph, scipy.sparse matrix/array, numpy.ndarray or networkx graph
        A Graph is returned unchanged; a matrix goes through
        :meth:`Graph.from_scipy`; a networkx graph through
        :meth:`Graph.from_networkx`.
    weight : str, optional
        Edge attribute used as weight for networkx input (ignored otherwise).
    parallel : {"sum", "min", None}
        How a networkx multigraph's parallel edges combine (see
        :meth:`Graph.from_networkx`).

    Returns
    -------
    Graph

    Raises
    ------
    GraphInputError
        If ``obj`` is of an unsupported type.
    """
    if isinstance(obj, Graph):
        return obj
    if _is_sparse(obj) or isinstance(obj, np.ndarray):
        return Graph.from_scipy(obj)
    if is_networkx(obj):
        return Graph.from_networkx(obj, weight=weight, parallel=parallel)
    raise GraphInputError(
        f"cannot use an object of type {type(obj).__module__}.{type(obj).__qualname__} "
        f"as a graph; expected {_ACCEPTED}"
    )
