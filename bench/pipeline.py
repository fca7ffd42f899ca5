"""Pipelines: many small graphs through one kernel, and the fixed cost of one call.

    python -m bench.pipeline                           # 1,000 graphs of ~10k arcs
    python -m bench.pipeline --graphs 50 --arcs 2000   # smoke run

1. One algorithm over ``--graphs`` random graphs of about ``--arcs`` arcs each (as
   ``Graph`` objects, built before timing), three ways: a Python loop of
   ``algo.run(G)``, ``algo.map(graphs)`` on one thread and ``algo.map(graphs,
   threads=2)``.  The kernel is compiled (or loaded) before any timing starts.
2. Per-call overhead of a cached kernel on a 100-node graph: ``algo.run(G)`` with
   the kernel swapped for a function that returns the kernel's answer at once, i.e.
   what binding the parameters, preparing the arguments and building the
   ``Result`` cost (target: under 50 us); beside it the full run and the bare
   kernel call.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import groggy_jit as gj
from bench.common import print_table
from groggy_jit.runtime.executor import kernel_args
from groggy_jit.runtime.params import bind


def random_graphs(count: int, arcs: int, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    n = max(arcs // 10, 2)
    return [gj.Graph.from_edges(*rng.integers(0, n, size=(2, arcs)), num_nodes=n)
            for _ in range(count)]


def seconds(fn, repeat: int) -> float:
    """Best of ``repeat`` wall-clock times of ``fn()`` (the least disturbed run)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def pipeline_rows(algo, graphs, repeat: int) -> list[list[str]]:
    algo.run(graphs[0])                                  # compile or load, untimed
    ways = {
        "Python loop: algo.run(G)": lambda: [algo.run(G) for G in graphs],
        "algo.map(graphs), 1 thread": lambda: algo.map(graphs, progress=False),
        "algo.map(graphs, threads=2)": lambda: algo.map(graphs, threads=2, progress=False),
    }
    return timed_rows(ways, len(graphs), repeat)


def timed_rows(ways: dict, count: int, repeat: int) -> list[list[str]]:
    """One table row per way of running ``count`` graphs: time, rate, speed-up over the first."""
    base = None
    rows = []
    for label, fn in ways.items():
        t = seconds(fn, repeat)
        base = base or t
        rows.append([label, f"{t:.3f} s", f"{count / t:,.0f}", f"{base / t:.2f}x"])
    return rows


def per_call_overhead(algo, calls: int) -> dict[str, float]:
    """Microseconds (best of 7) on a 100-node graph: a full ``run``, the bare kernel call,
    and ``run`` with the kernel swapped for one that returns its answer at once, which
    is the per-call overhead itself, free of the kernel's own noise."""
    G = random_graphs(1, 400, seed=1)[0]
    algo.run(G)
    kernel, _ = algo.kernel_for(G.index_dtype)
    plan = algo.plan_for(str(G.index_dtype))
    args = kernel_args(G, bind(algo.ir.params, {}, G), plan.uses_weights)
    answer = kernel(*args)

    def us_per_call(fn):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        return (time.perf_counter() - start) / calls * 1e6

    def overhead_only():
        key = (G.index_dtype, G.weighted)                # the kernel run() picks for G
        algo._kernels[key] = lambda *_: answer
        try:
            return us_per_call(lambda: algo.run(G))
        finally:
            algo._kernels[key] = kernel
    samples = [(us_per_call(lambda: algo.run(G)), us_per_call(lambda: kernel(*args)),
                overhead_only()) for _ in range(7)]     # interleaved: all see the same load
    return dict(zip(("run", "kernel", "overhead"), (min(column) for column in zip(*samples))))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--algorithm", default="pagerank", help="catalogue name (pagerank)")
    parser.add_argument("--graphs", type=int, default=1000, help="number of graphs (1000)")
    parser.add_argument("--arcs", type=int, default=10_000, help="arcs per graph (10000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed repeats, best kept (3)")
    parser.add_argument("--calls", type=int, default=10_000,
                        help="calls per overhead sample (10000)")
    args = parser.parse_args(argv)
    algo = gj.algorithms.REGISTRY[args.algorithm]
    graphs = random_graphs(args.graphs, args.arcs)
    n = graphs[0].num_nodes
    print(f"{args.algorithm} over {args.graphs:,} graphs of {n:,} nodes and ~{args.arcs:,} arcs "
          f"(best of {args.repeat})")
    print_table(pipeline_rows(algo, graphs, args.repeat), ["how", "time", "graphs/s", "speed-up"])
    print()
    for name in dict.fromkeys(["degree_centrality", args.algorithm]):
        us = per_call_overhead(gj.algorithms.REGISTRY[name], args.calls)
        print(f"{name} on a 100-node graph: run {us['run']:.1f} us, bare kernel "
              f"{us['kernel']:.1f} us, per-call overhead {us['overhead']:.1f} us (target < 50 us)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
