"""The generated groggy-jit kernels for the benchmarks: PageRank, CC, BFS, SSSP, TC, betweenness.

Each factory takes the benchmark's inputs and returns a ``run()`` that is one
call of the compiled kernel, returning what the benchmarks check (ranks,
labels, depths, distances, the count, scores). The ``groggy_jit.Graph``
objects are built once per inputs by ``graphs`` (not timed by ``run``). The
traversals and CC take ``schedule=`` ("auto", "push" or "pull"), passed to every run.
"""

from __future__ import annotations

import groggy_jit as gj


def graphs(inp):
    """``{"A": Graph, "W": Graph}`` of the unweighted and weighted adjacency, built once."""
    if "groggy_jit_graphs" not in inp:
        inp["groggy_jit_graphs"] = {"A": gj.Graph.from_scipy(inp["A"], directed=False),
                                    "W": gj.Graph.from_scipy(inp["W"], directed=False)}
    return inp["groggy_jit_graphs"]


def pagerank(inp, damping=0.85, tol=0.0, max_iter=20):
    """PageRank stopped by ``tol`` or ``max_iter``: stopping at the limit is the benchmark's rule
    (GAP), not a failure, so it is not warned about."""
    graph = graphs(inp)["A"]
    return lambda: gj.pagerank.run(graph, damping=damping, tol=tol, max_iter=max_iter,
                                   on_nonconvergence="ignore").value


def connected_components(inp):
    """Afforest-style sampling (the catalogue's fastest CC on graphs with a large component)."""
    graph = graphs(inp)["A"]
    return lambda: gj.connected_components_afforest.run(graph).value


def connected_components_fastsv(inp):
    graph = graphs(inp)["A"]
    return lambda: gj.connected_components_fastsv.run(graph).value


def bfs(inp, schedule="auto"):
    graph = graphs(inp)["A"]
    source = int(inp["source"])
    return lambda: gj.bfs.run(graph, source=source, schedule=schedule).values["depth"]


def sssp(inp, schedule="auto", delta: float = 16.0):
    graph = graphs(inp)["W"]
    source = int(inp["source"])
    return lambda: gj.sssp_delta.run(graph, source=source, delta=delta, schedule=schedule).value


def triangle_count(inp):
    graph = graphs(inp)["A"]
    return lambda: int(gj.triangle_count.run(graph).value)


def betweenness(inp):
    """Betweenness from the sampled sources ``inp["bc_mask"]`` (one bool per node)."""
    graph = graphs(inp)["A"]
    return lambda: gj.betweenness_centrality.run(graph, sources=inp["bc_mask"]).value


FACTORIES = {"cc": connected_components, "bfs": bfs, "sssp": sssp, "tc": triangle_count}
# more generated rows for a kernel: another catalogue algorithm for the same answer
VARIANTS = {"cc": {"generated FastSV (groggy-jit)": connected_components_fastsv}}
