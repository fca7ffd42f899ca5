"""Compile once, run many: cold compile, warm first result, steady runs, re-run overhead.

    python -m bench.compile [--repeat 5] [--processes 3] [--scale 10] [--algorithms pagerank bfs]

For every catalogue algorithm (``groggy_jit.algorithms.REGISTRY``), on a small Kronecker
graph so that running costs little next to starting:

cold      a fresh process on an empty temporary cache: the first ``algo.run(G)`` minus the
          steady run time, and the process's ``algo.stats.compile_seconds``;
warm      fresh processes on that now warm cache: first line through ``import groggy_jit`` and
          the first ``algo.run(G)`` returning (perf_counter inside the child, graph loading
          left out), and the whole process seen from outside; median of ``--processes``;
steady    in the cold process after its first run: median ``algo.run(G)`` time and median
          raw kernel time (the loaded kernel called directly with the same arguments),
          interleaved, at least ``--repeat`` pairs (more for fast kernels, up to 0.5 s);
overhead  what ``run`` adds to the kernel: median over runs of the run's wall time minus the
          kernel call it timed itself, plus building the kernel's arguments; the paired
          ``run - kernel`` difference is shown too but is only as precise as the kernel's
          own jitter;
floor     fresh processes that import numpy and numba and call one trivial cached
          ``@numba.njit(parallel=True, cache=True)`` kernel, measured in the same run,
          one before each warm groggy-jit process; ``x floor`` is warm first / floor.

Then breaks down where the warm first result goes for one algorithm (``bench.startup``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import textwrap
from pathlib import Path

from .common import print_table
from .startup import (breakdown, build_graph, child_env, floor_first_result, make_floor,
                      print_breakdown, run_child, save_graph, warm_first_result)

COLD_CHILD = textwrap.dedent("""
    import json, pickle, statistics, sys, time
    import numpy as np
    import groggy_jit as gj
    from groggy_jit.runtime.executor import kernel_args
    from groggy_jit.runtime.params import bind

    name, graph_path, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(graph_path, "rb") as f:
        G = pickle.load(f)
    algo = gj.algorithms.REGISTRY[name]
    start = time.perf_counter()
    algo.run(G)
    first = time.perf_counter() - start
    stats = algo.stats
    cold = {"compiles": stats.compiles, "disk_hits": stats.disk_hits,
            "compile_seconds": stats.compile_seconds}

    kernel, _ = algo.kernel_for(G.index_dtype)
    plan = algo.plan_for(str(G.index_dtype))
    bound = bind(algo.ir.params, {}, G)
    args = kernel_args(G, bound, plan.uses_weights)

    def timed_run():
        start = time.perf_counter()
        result = algo.run(G)
        return time.perf_counter() - start, result.times["run"]

    def timed_kernel():
        start = time.perf_counter()
        kernel(*args)
        return time.perf_counter() - start

    estimate = min(timed_kernel() for _ in range(2))
    pairs = max(repeat, min(200, int(0.5 / max(estimate, 1e-6))))
    runs, inner, raw = [], [], []
    for k in range(pairs):                      # interleaved, alternating which goes first
        if k % 2:
            raw.append(timed_kernel())
        wall, own = timed_run()
        runs.append(wall)
        inner.append(own)
        if not k % 2:
            raw.append(timed_kernel())
    arg_times = []
    for _ in range(200):
        start = time.perf_counter()
        kernel_args(G, bound, plan.uses_weights)
        arg_times.append(time.perf_counter() - start)
    median = statistics.median
    print(json.dumps(dict(cold, first=first, pairs=pairs, steady=median(runs), raw=median(raw),
                          paired=median([a - b for a, b in zip(runs, raw)]),
                          overhead=median([a - b for a, b in zip(runs, inner)])
                          + median(arg_times))))
""")


def measure(name: str, graph_path: Path, cache_dir: Path, floor_dir: Path, repeat: int,
            processes: int) -> tuple[dict, list]:
    cold, _ = run_child(COLD_CHILD, child_env(cache_dir), name, graph_path, repeat)
    if cold["compiles"] != 1:
        raise RuntimeError(f"{name}: the cold process did not compile ({cold})")
    warm, floors = [], []
    for _ in range(processes):
        floors.append(floor_first_result(floor_dir))
        warm.append(warm_first_result(name, graph_path, cache_dir))
    cold["warm_first"] = statistics.median(w["first"] for w in warm)
    cold["warm_wall"] = statistics.median(w["wall"] for w in warm)
    return cold, floors


def main(argv=None) -> int:
    import groggy_jit as gj
    names = list(gj.algorithms.REGISTRY)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="steady runs, at least (5)")
    parser.add_argument("--processes", type=int, default=3,
                        help="fresh processes per warm and floor measurement (3)")
    parser.add_argument("--scale", type=int, default=10, help="Kronecker scale (10)")
    parser.add_argument("--algorithms", nargs="+", choices=names, default=names,
                        metavar="NAME", help="catalogue algorithms (all)")
    parser.add_argument("--breakdown", default="pagerank", metavar="NAME",
                        help="algorithm whose warm first result is broken down (pagerank)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.processes < 1:
        parser.error("--repeat and --processes must be at least 1")
    focus = args.breakdown if args.breakdown in args.algorithms else args.algorithms[0]

    with tempfile.TemporaryDirectory(prefix="groggy-jit-bench-compile-") as tmp:
        tmp = Path(tmp)
        graph = build_graph(args.scale)
        graph_path = save_graph(graph, tmp)
        (tmp / "directed").mkdir()
        # the same arcs as a directed graph, for the algorithms only defined on one
        directed_path = save_graph(gj.Graph.from_scipy(graph.to_scipy(copy=False), directed=True),
                                   tmp / "directed")
        floor_dir = make_floor(tmp)
        print(f"kron{args.scale}: {graph.num_nodes:,} nodes, {graph.num_edges:,} arcs; "
              f"{len(args.algorithms)} algorithms, each on an empty cache\n", flush=True)
        results, floors = {}, []
        for name in args.algorithms:
            needs_directed = "directed" in gj.algorithms.REGISTRY[name].ir.requirements
            results[name], more = measure(name, directed_path if needs_directed else graph_path,
                                          tmp / "cache" / name, floor_dir,
                                          args.repeat, args.processes)
            floors += more
            print(f"  {name}: done", file=sys.stderr, flush=True)
        floor = statistics.median(f["first"] for f in floors)
        floor_wall = statistics.median(f["wall"] for f in floors)

        rows = []
        for name, r in results.items():
            rows.append([name, f"{r['first']:.2f}", f"{r['compile_seconds']:.2f}",
                         f"{r['first'] - r['steady']:.2f}", f"{r['warm_first']:.2f}",
                         f"{r['warm_wall']:.2f}", f"{r['warm_first'] / floor:.2f}x",
                         f"{r['steady'] * 1e3:.2f}", f"{r['raw'] * 1e3:.2f}",
                         f"{r['paired'] * 1e3:.3f}", f"{r['overhead'] * 1e3:.3f}"])
        print_table(rows, ["algorithm", "cold first s", "compile s", "cold compile s",
                           "warm first s", "warm process s", "x floor", "run ms",
                           "kernel ms", "run-kernel ms", "overhead ms"])
        print(f"\nfloor (numpy + numba + one trivial cached parallel kernel, fresh process): "
              f"{floor:.2f} s in-process, {floor_wall:.2f} s whole process "
              f"(median of {len(floors)}, spread over the run)")
        print("cold first: first algo.run(G) in a process on an empty cache (import numba, "
              "trace, plan, codegen, compile, run); compile: its stats.compile_seconds;\n"
              "cold compile: cold first - run; warm first: first line to first result in a "
              "fresh process on the warm cache (in-process), warm process: that process "
              "from outside;\nrun / kernel: median algo.run(G) and raw kernel call; "
              "overhead: what run adds to the kernel (must be < 1 ms).")
        slow = [name for name, r in results.items() if r["overhead"] >= 1e-3]
        print("re-run overhead < 1 ms for every algorithm" if not slow else
              f"re-run overhead >= 1 ms: {', '.join(slow)}")

        rows, totals = breakdown(focus, graph_path, tmp / "cache" / focus, floor_dir,
                                 args.processes)
        print_breakdown(focus, rows, totals, args.processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
