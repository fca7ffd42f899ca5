"""``groggy-jit demo``: the catalogue on a generated Kronecker graph, with first-call and run times."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

DEMO_ALGORITHMS = ("pagerank", "degree_centrality", "label_propagation", "connected_components")


def demo_graph(scale: int):
    from ..graph import Graph
    from ..graph.generators import kronecker_edges
    src, dst, n = kronecker_edges(scale)
    return Graph.from_edges(src, dst, num_nodes=n, directed=False)


def _summary(name: str, result) -> str:
    import numpy as np
    x = result.value
    if name == "pagerank":
        top = int(np.argmax(x))
        state = "converged" if result.converged else "not converged"
        return f"top node {top}: {x[top]:.5f}; {result.iterations} iterations, {state}"
    if name == "degree_centrality":
        return f"max {x.max():.4f}, mean {x.mean():.6f}"
    counts = np.unique(x, return_counts=True)[1]
    noun = "communities" if name == "label_propagation" else "components"
    return f"{len(counts):,} {noun}, largest {counts.max():,} nodes"


def warm_probe(name: str, scale: int) -> int:
    """Run in a fresh process: time the first result of one algorithm from a warm cache."""
    start = time.perf_counter()
    import groggy_jit
    imported = time.perf_counter() - start
    graph = demo_graph(scale)
    algo = groggy_jit.algorithms.REGISTRY[name]
    start = time.perf_counter()
    algo.run(graph)
    first = time.perf_counter() - start
    print(json.dumps({"import": imported, "first": first, "compiles": algo.stats.compiles,
                      "disk_hits": algo.stats.disk_hits}))
    return 0


def demo(scale: int, repeat: int, fresh: bool) -> int:
    if fresh:
        os.environ["GROGGY_JIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="groggy-jit-demo-")
    import groggy_jit
    from ..runtime.cache import cache_root
    start = time.perf_counter()
    graph = demo_graph(scale)
    built = time.perf_counter() - start
    print(f"groggy-jit {groggy_jit.__version__} demo on a Kronecker graph (Graph500 parameters), "
          f"scale {scale}: {graph.num_nodes:,} nodes, {graph.num_edges:,} arcs, "
          f"built in {built:.2f} s")
    print(f"kernel cache: {cache_root()}\n")
    header = (f"{'algorithm':<22}{'first call':>12}  {'from':<8}{'new process':>13}"
              f"{'run (median)':>15}   result")
    print(header)
    print("-" * len(header))
    for name in DEMO_ALGORITHMS:
        algo = groggy_jit.algorithms.REGISTRY[name]
        start = time.perf_counter()
        result = algo.run(graph, tier="kernel")       # the compile (or disk load) shown
        first = time.perf_counter() - start
        origin = "compile" if algo.stats.compiles else "disk"
        probe = subprocess.run([sys.executable, "-m", "groggy_jit", "_warm_probe", name, str(scale)],
                               capture_output=True, text=True, env=os.environ.copy())
        warm = json.loads(probe.stdout)["first"] if probe.returncode == 0 else float("nan")
        times = []
        for _ in range(repeat):
            times.append(algo.run(graph).times["run"])
        print(f"{name:<22}{first:>10.2f} s  {origin:<8}{warm:>11.2f} s"
              f"{statistics.median(times) * 1e3:>12.1f} ms   {_summary(name, result)}")
    print("\nfirst call: trace + plan + compile (or load from the disk cache) + run;"
          "\nnew process: a fresh Python process computing the same result from the warm cache;"
          f"\nrun: median of {repeat} further calls, each one native kernel call.")
    return 0
