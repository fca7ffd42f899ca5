"""The generated groggy-jit kernels for ``bench.kernels``: CC, BFS, SSSP, TC.

Each factory builds the ``groggy_jit.Graph`` once (not timed) and returns a
``run()`` that is one call of the compiled kernel, returning what the
benchmark's summaries read (labels, depths, distances, the count).
"""

from __future__ import annotations

import groggy_jit as gj


def connected_components(inp):
    graph = gj.Graph.from_scipy(inp["A"], directed=False)
    return lambda: gj.connected_components_fastsv.run(graph).value


def bfs(inp):
    graph = gj.Graph.from_scipy(inp["A"], directed=False)
    return lambda: gj.bfs.run(graph, source=int(inp["source"])).values["depth"]


def sssp(inp, delta: float = 16.0):
    graph = gj.Graph.from_scipy(inp["W"], directed=False)
    return lambda: gj.sssp_delta.run(graph, source=int(inp["source"]), delta=delta).value


def triangle_count(inp):
    graph = gj.Graph.from_scipy(inp["A"], directed=False)
    return lambda: int(gj.triangle_count.run(graph).value)


FACTORIES = {"cc": connected_components, "bfs": bfs, "sssp": sssp, "tc": triangle_count}
