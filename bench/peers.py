"""Every implementation the benchmark times, one adapter per library.

A ``Library`` builds its own graph object from the benchmark's inputs (timed
as construction, apart from the kernels) and offers, per kernel, a function
``impl(native, inp) -> (run, canon)``: ``run()`` is one timed call, and
``canon(run())`` turns its answer into the form ``bench.checks`` compares (not
timed). A kernel a library cannot run the same way is a ``Missing`` with the
reason, shown in the table.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import random
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph

from .checks import PR_DAMPING, PR_L1_STOP, PR_MAX_ITER, depth_from_dist, sampled_betweenness_scale
from .kernels import DELTA

__all__ = ["KERNELS", "TITLES", "Library", "Missing", "OverBudget", "libraries", "set_threads", "bc_sources"]

KERNELS = ("pagerank_gap", "pagerank_20", "cc", "bfs", "sssp", "tc", "bc")
TITLES = {
    "pagerank_gap": "PageRank (GAP: L1 < 1e-4 or 20 it.)",
    "pagerank_20": "PageRank (20 iterations)",
    "cc": "connected components",
    "bfs": "BFS (one source)",
    "sssp": "SSSP (one source, weights 1..255)",
    "tc": "triangle count",
    "bc": "betweenness (k sampled sources)",
}
BC_SAMPLES = 8
# networkx-style PageRank raises when max_iter runs out, so GAP mode lets it run to convergence.
UNCAPPED = 1000
UNCAPPED_NOTE = "no 20-iteration cap (networkx-style: raises after max_iter), so it may iterate longer"


def bc_sources(n, k=BC_SAMPLES, seed=0):
    """The sources networkx's ``betweenness_centrality(G, k=k, seed=seed)`` samples."""
    return sorted(random.Random(seed).sample(range(n), min(k, n)))


class OverBudget(Exception):
    """Raised by a run that would not fit the machine (memory); its row says so."""


@dataclass(frozen=True)
class Missing:
    """A kernel a library does not offer in comparable form, and why."""

    reason: str


@dataclass
class Library:
    name: str
    module: str                     # imported to tell whether it is installed
    distribution: str               # its version comes from this package (or module.__version__)
    parallel: bool                  # follows the benchmark's thread count
    build: Callable                 # inputs -> native graph object
    kernels: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)  # kernel -> semantic difference worth a note
    role: str = "peer"              # "generated", "hand-written", "backend" or "peer"
    missing: str | None = None      # why it cannot run here at all

    @property
    def version(self):
        try:
            return importlib.metadata.version(self.distribution)
        except importlib.metadata.PackageNotFoundError:  # e.g. groggy-jit run from a checkout
            return getattr(importlib.import_module(self.module), "__version__", None)


def _generated_graphs(inp):
    from .generated import graphs

    return graphs(inp)


def _pr_tol(inp):
    return PR_L1_STOP / inp["n"]


def _as_array(r):
    return "value", np.asarray(r, dtype=np.float64)


# ------------------------------------------------------------------ groggy-jit
def _generated():
    from . import generated

    def impl(factory, kind, **params):
        def make(_, inp):
            kw = {k: (v(inp) if callable(v) else v) for k, v in params.items()}
            return factory(inp, **kw), lambda r: (kind, r)
        return make

    def pagerank(tol):
        return impl(generated.pagerank, "value", damping=PR_DAMPING, tol=tol, max_iter=PR_MAX_ITER)

    return {
        "pagerank_gap": pagerank(_pr_tol),
        "pagerank_20": pagerank(0.0),
        "cc": impl(generated.connected_components, "labels"),
        "bfs": impl(generated.bfs, "depth"),
        "sssp": impl(generated.sssp, "value", delta=DELTA),
        "tc": impl(generated.triangle_count, "value"),
        "bc": impl(generated.betweenness, "value"),
    }


# --------------------------------------------------------------- hand-written
def _hand():
    """The first hand-written kernel of each group in ``bench.kernels`` (afforest, direction-
    optimizing BFS, delta-stepping, ordered triangle count), and the pull PageRank."""
    from .kernels import hand_written

    def pagerank(tol_of):
        def impl(_, inp):
            from kernels.pagerank import pagerank_pull

            ip, ix, deg, tol = inp["indptr"], inp["indices"], np.diff(inp["indptr"]), tol_of(inp)
            return (lambda: pagerank_pull(ip, ix, deg, PR_DAMPING, tol, PR_MAX_ITER),
                    lambda r: ("value", r[0]))
        return impl

    def first(key, canon):
        return lambda _, inp: (next(iter(hand_written(key, inp).values())), canon)

    return {"pagerank_gap": pagerank(_pr_tol), "pagerank_20": pagerank(lambda inp: 0.0),
            "cc": first("cc", lambda r: ("labels", r)), "bfs": first("bfs", lambda r: ("depth", r[0])),
            "sssp": first("sssp", lambda r: ("value", r)), "tc": first("tc", lambda r: ("value", r)),
            "bc": Missing("no hand-written betweenness kernel in kernels/")}


# ----------------------------------------------------------------------- scipy
def _scipy_build(inp):
    from kernels.pagerank import scipy_prepare

    return scipy_prepare(inp["A"], inp["A"])


def _scipy():
    def pagerank(tol_of):
        def impl(prepared, inp):
            from kernels.pagerank import pagerank_scipy_prepared

            tol = tol_of(inp)
            return (lambda: pagerank_scipy_prepared(*prepared, PR_DAMPING, tol, PR_MAX_ITER),
                    lambda r: ("value", r[0]))
        return impl

    def cc(_, inp):
        return (lambda: csgraph.connected_components(inp["A"], directed=False)), lambda r: ("labels", r[1])

    def bfs(_, inp):
        A, s = inp["A"], inp["source"]

        def canon(r):
            parent = np.asarray(r[1], dtype=np.int64)
            parent[s] = s
            return "parent", np.where(parent < 0, -1, parent)
        # A is symmetric: directed=True reads it as is (no symmetrising copy)
        return (lambda: csgraph.breadth_first_order(A, s, directed=True, return_predecessors=True)), canon

    def sssp(_, inp):
        W, s = inp["W"], inp["source"]
        return (lambda: csgraph.dijkstra(W, directed=True, indices=s)), lambda r: ("value", r)

    def tc(_, inp):
        from .checks import TC_SCIPY_MAX_PRODUCTS, spgemm_triangles

        def run():
            count = spgemm_triangles(inp["A"])
            if count is None:
                raise OverBudget(f"U @ U above {TC_SCIPY_MAX_PRODUCTS:,} products (memory)")
            return count
        return run, lambda r: ("value", r)

    return {"pagerank_gap": pagerank(_pr_tol), "pagerank_20": pagerank(lambda inp: 0.0), "cc": cc,
            "bfs": bfs, "sssp": sssp, "tc": tc,
            "bc": Missing("scipy has no betweenness")}


# -------------------------------------------------------------------- networkx
def _nx_build(inp):
    import networkx as nx

    return {"A": nx.from_scipy_sparse_array(inp["A"]), "W": nx.from_scipy_sparse_array(inp["W"])}


def _nx_dict(n, fill):
    def canon(d):
        out = np.full(n, fill, dtype=np.float64)
        out[np.fromiter(d.keys(), dtype=np.int64, count=len(d))] = np.fromiter(d.values(), dtype=np.float64, count=len(d))
        return out
    return canon


def _networkx(backend=None):
    kw = {} if backend is None else {"backend": backend}

    def nx():
        return importlib.import_module("networkx")

    def pagerank(g, inp):
        tol, n = _pr_tol(inp), inp["n"]
        return (lambda: nx().pagerank(g["A"], alpha=PR_DAMPING, tol=tol, max_iter=UNCAPPED, **kw),
                lambda r: ("value", _nx_dict(n, 0.0)(r)))

    def cc(g, inp):
        def canon(comps):
            labels = np.empty(inp["n"], dtype=np.int64)
            for i, c in enumerate(comps):
                labels[np.fromiter(c, dtype=np.int64, count=len(c))] = i
            return "labels", labels
        return (lambda: list(nx().connected_components(g["A"], **kw))), canon

    def bfs(g, inp):
        s, n = inp["source"], inp["n"]
        return (lambda: nx().single_source_shortest_path_length(g["A"], s, **kw),
                lambda r: ("depth", depth_from_dist(_nx_dict(n, np.inf)(r))))

    def sssp(g, inp):
        s, n = inp["source"], inp["n"]
        return (lambda: nx().single_source_dijkstra_path_length(g["W"], s, **kw),
                lambda r: ("value", _nx_dict(n, np.inf)(r)))

    def tc(g, inp):
        return (lambda: sum(nx().triangles(g["A"], **kw).values()) // 3), lambda r: ("value", r)

    def bc(g, inp):
        n = inp["n"]
        return (lambda: nx().betweenness_centrality(g["A"], k=min(BC_SAMPLES, n), seed=0, **kw),
                lambda r: ("value", _nx_dict(n, 0.0)(r)))

    return {"pagerank_gap": pagerank,
            "pagerank_20": Missing("networkx stops only on convergence (raises after max_iter)"),
            "cc": cc, "bfs": bfs, "sssp": sssp, "tc": tc, "bc": bc}


def _groggy_backend_name():
    """The networkx backend name groggy-jit registers, or None while there is none."""
    try:
        import networkx as nx

        names = list(nx.utils.backends.backends)
    except (ImportError, AttributeError):
        return None
    return next((b for b in names if "groggy" in b.replace("-", "_")), None)


# ---------------------------------------------------------------------- igraph
def _upper_edges(A):
    """Each undirected edge once, with its weight."""
    return sp.triu(A, k=1).tocoo()


def _igraph_build(inp):
    import igraph as ig

    U = _upper_edges(inp["W"])
    g = ig.Graph(n=inp["n"], edges=np.column_stack([U.row, U.col]).tolist(), directed=False)
    g.es["weight"] = U.data.tolist()
    return g


def _igraph():
    def pagerank(g, inp):
        return (lambda: g.pagerank(damping=PR_DAMPING, implementation="prpack")), _as_array

    def cc(g, inp):
        return (lambda: g.connected_components().membership), lambda r: ("labels", np.asarray(r))

    def bfs(g, inp):
        s = inp["source"]

        def canon(r):
            parent = np.asarray(r[2], dtype=np.int64)
            parent[s] = s
            return "parent", parent
        return (lambda: g.bfs(s)), canon

    def sssp(g, inp):
        s = inp["source"]
        return (lambda: g.distances(source=s, weights="weight")[0]), _as_array

    def tc(g, inp):
        degree = np.diff(inp["indptr"]).astype(np.float64)
        # triangles at v = local clustering * d(d - 1) / 2; igraph has no plain count
        return (lambda: g.transitivity_local_undirected(mode="zero"),
                lambda r: ("value", int(np.rint(np.asarray(r) * degree * (degree - 1) / 2).sum()) // 3))

    def bc(g, inp):
        n, S = inp["n"], inp["bc_sources"]
        # igraph sums each source's dependencies over all targets, halved (undirected pairs)
        scale = 2 * sampled_betweenness_scale(n, S)
        return (lambda: g.betweenness(directed=False, sources=S)), lambda r: ("value", np.asarray(r) * scale)

    return {"pagerank_gap": pagerank,
            "pagerank_20": Missing("igraph's PRPACK solves exactly, with no iteration cap"),
            "cc": cc, "bfs": bfs, "sssp": sssp, "tc": tc, "bc": bc}


# -------------------------------------------------------------------- networkit
def _networkit_build(inp):
    import networkit as nk

    def graph(M, weighted):
        U = _upper_edges(M)
        return nk.graph.GraphFromCoo((U.data, (U.row.astype(np.uint64), U.col.astype(np.uint64))),
                                     n=inp["n"], directed=False, weighted=weighted)
    G = graph(inp["A"], False)
    G.indexEdges()
    return {"A": G, "W": graph(inp["W"], True)}


def _networkit():
    import_nk = lambda: importlib.import_module("networkit")  # noqa: E731

    def pagerank(g, inp):
        nk = import_nk()
        c = nk.centrality

        def run():
            pr = c.PageRank(g["A"], damp=PR_DAMPING, tol=PR_L1_STOP, distributeSinks=c.SinkHandling.DistributeSinks)
            pr.norm, pr.maxIterations = c.Norm.L1_NORM, PR_MAX_ITER
            return pr.run().scores()
        return run, _as_array

    def cc(g, inp):
        nk = import_nk()
        return (lambda: nk.components.ParallelConnectedComponents(g["A"]).run().getPartition().getVector(),
                lambda r: ("labels", np.asarray(r)))

    def bfs(g, inp):
        nk = import_nk()
        s = inp["source"]
        return (lambda: nk.distance.BFS(g["A"], s, storePaths=False).run().getDistances(),
                lambda r: ("depth", depth_from_dist(r)))

    def sssp(g, inp):
        nk = import_nk()
        s = inp["source"]
        return (lambda: nk.distance.Dijkstra(g["W"], s, storePaths=False).run().getDistances()), _as_array

    def tc(g, inp):
        nk = import_nk()
        return (lambda: nk.sparsification.TriangleEdgeScore(g["A"]).run().scores(),
                lambda r: ("value", int(round(sum(r))) // 3))

    return {"pagerank_gap": pagerank,
            "pagerank_20": Missing("networkit's PageRank has no way to run exactly 20 iterations "
                                   "without its own stopping rule"),
            "cc": cc, "bfs": bfs, "sssp": sssp, "tc": tc,
            "bc": Missing("networkit samples its own sources (EstimateBetweenness): not checkable")}


# --------------------------------------------------------- graphblas-algorithms
def _graphblas_build(inp):
    import graphblas as gb
    import graphblas_algorithms as ga

    return {"A": ga.Graph(gb.io.from_scipy_sparse(inp["A"])),
            "W": ga.Graph(gb.io.from_scipy_sparse(inp["W"]))}


def _vector(n, fill):
    def canon(v):
        idx, vals = v.to_coo()
        out = np.full(n, fill, dtype=np.float64)
        out[idx] = vals
        return out
    return canon


def _graphblas():
    ga = lambda: importlib.import_module("graphblas_algorithms")  # noqa: E731

    def pagerank(g, inp):
        tol, n = _pr_tol(inp), inp["n"]
        return (lambda: ga().pagerank(g["A"], alpha=PR_DAMPING, tol=tol, max_iter=UNCAPPED),
                lambda r: ("value", _vector(n, 0.0)(r)))

    def bfs(g, inp):
        s, n = inp["source"], inp["n"]
        return (lambda: ga().single_source_shortest_path_length(g["A"], s),
                lambda r: ("depth", depth_from_dist(_vector(n, np.inf)(r))))

    def sssp(g, inp):
        s, n = inp["source"], inp["n"]
        return (lambda: ga().single_source_bellman_ford_path_length(g["W"], s),
                lambda r: ("value", _vector(n, np.inf)(r)))

    def tc(g, inp):
        return (lambda: ga().total_triangles(g["A"])), lambda r: ("value", int(r))

    return {"pagerank_gap": pagerank,
            "pagerank_20": Missing("stops only on convergence, like networkx"),
            "cc": Missing("graphblas-algorithms has no connected_components"),
            "bfs": bfs, "sssp": sssp, "tc": tc,
            "bc": Missing("graphblas-algorithms has no betweenness")}


def libraries() -> list[Library]:
    """Every implementation, in table order; ``missing`` says why one cannot run here."""
    backend = _groggy_backend_name()
    libs = [
        Library("groggy-jit", "groggy_jit", "groggy-jit", True, _generated_graphs, _generated(),
                role="generated"),
        Library("hand-written", "kernels", "numba", True, lambda inp: None, _hand(),
                role="hand-written"),
        Library("scipy", "scipy", "scipy", False, _scipy_build, _scipy()),
        Library("networkx", "networkx", "networkx", False, _nx_build, _networkx(),
                notes={"pagerank_gap": UNCAPPED_NOTE}),
        Library("networkx+groggy-jit", "networkx", "networkx", True, _nx_build,
                _networkx(backend) if backend else {}, role="backend", notes={"pagerank_gap": UNCAPPED_NOTE},
                missing=None if backend else "networkx finds no groggy_jit backend: groggy-jit is not "
                "installed (pip install -e .), so its entry points are missing"),
        Library("igraph", "igraph", "igraph", False, _igraph_build, _igraph(),
                notes={"pagerank_gap": "PRPACK: solved exactly, not stopped by the GAP rule"}),
        Library("networkit", "networkit", "networkit", True, _networkit_build, _networkit(),
                notes={"pagerank_gap": "DistributeSinks, L1 norm, same tolerance; the rank of isolated "
                                       "nodes still leaks (ranks sum below 1 when there are any)"}),
        Library("graphblas-algorithms", "graphblas_algorithms", "graphblas-algorithms", True,
                _graphblas_build, _graphblas(),
                notes={"sssp": "Bellman-Ford (min-plus products), not Dijkstra",
                       "pagerank_gap": UNCAPPED_NOTE}),
    ]
    for lib in libs:
        if lib.missing is None:
            try:
                importlib.import_module(lib.module)
            except ImportError:
                lib.missing = "not installed (pip install '.[bench]')"
    return libs


def set_threads(threads: int, libs) -> None:
    """The same thread count for every library that runs in parallel."""
    import numba

    numba.set_num_threads(threads)
    names = {lib.module for lib in libs if lib.missing is None}
    if "networkit" in names:
        importlib.import_module("networkit").setNumberOfThreads(threads)
    if "graphblas_algorithms" in names:
        importlib.import_module("graphblas").ss.config["nthreads"] = threads
