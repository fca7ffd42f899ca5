"""Command line: ``python -m groggy_jit demo`` and ``python -m groggy_jit cache info|clear``."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

DEMO_ALGORITHMS = ("pagerank", "degree_centrality", "label_propagation", "connected_components")


def demo_graph(scale: int):
    from .graph import Graph
    from .graph.generators import kronecker_edges
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


def _warm_probe(name: str, scale: int) -> None:
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


def demo(scale: int, repeat: int, fresh: bool) -> int:
    if fresh:
        os.environ["GROGGY_JIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="groggy-jit-demo-")
    import groggy_jit
    from .runtime.cache import cache_root
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
        result = algo.run(graph)
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


def cache_command(action: str) -> int:
    from .runtime.cache import cache_clear, cache_info
    if action == "clear":
        print(f"removed {cache_clear()} cached kernel(s)")
        return 0
    info = cache_info()
    print(f"cache directory: {info['root']}")
    print(f"{len(info['entries'])} kernel(s), {info['bytes'] / 1024:.1f} KiB")
    for e in info["entries"]:
        state = "compiled" if e["compiled"] else "source only"
        print(f"  {e['kernel']}  {e['bytes'] / 1024:8.1f} KiB  {state}  [{e['tag']}]")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="groggy-jit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="run the catalogue on a generated graph, with timings")
    d.add_argument("--scale", type=int, default=16, help="Kronecker scale: 2**scale nodes (16)")
    d.add_argument("--repeat", type=int, default=5, help="timed runs per algorithm (5)")
    d.add_argument("--fresh", action="store_true",
                   help="use an empty temporary cache, to see cold compile times")
    c = sub.add_parser("cache", help="inspect or clear the kernel cache")
    c.add_argument("action", choices=["info", "clear"])
    p = sub.add_parser("_warm_probe")
    p.add_argument("name")
    p.add_argument("scale", type=int)
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo(args.scale, args.repeat, args.fresh)
    if args.command == "cache":
        return cache_command(args.action)
    _warm_probe(args.name, args.scale)
    return 0


if __name__ == "__main__":
    sys.exit(main())
