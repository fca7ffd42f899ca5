"""Many graphs on Dask: a Python loop vs ``algo.map`` vs ``groggy_jit.dask.map_graphs``.

    python -m bench.dask                              # 200 graphs of ~100k arcs
    python -m bench.dask --graphs 20 --arcs 2000      # smoke run

The graphs are built before timing, and every kernel is compiled (or loaded) before
any timing starts: in this process for the loop and ``map``, on every worker (a
warm-up ``map_graphs``) for the cluster.  The cluster is a ``LocalCluster`` of
``--workers`` spawned processes, each with its share of the cores as its kernel
thread pool; its start-up time is reported apart.  Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import time

import groggy_jit as gj
from bench.common import print_table
from bench.pipeline import random_graphs, seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dask",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--algorithm", default="pagerank", help="catalogue name (pagerank)")
    parser.add_argument("--graphs", type=int, default=200, help="number of graphs (200)")
    parser.add_argument("--arcs", type=int, default=100_000, help="arcs per graph (100000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    parser.add_argument("--repeat", type=int, default=3, help="timed repeats, best kept (3)")
    args = parser.parse_args(argv)
    from groggy_jit.dask import local_client, map_graphs

    algo = gj.algorithms.REGISTRY[args.algorithm]
    graphs = random_graphs(args.graphs, args.arcs)
    algo.run(graphs[0])                                   # compile or load, untimed
    start = time.perf_counter()
    client = local_client(args.workers, dashboard=False)
    started = time.perf_counter() - start
    try:
        map_graphs(algo, graphs[:args.workers], client).compute()      # warm every worker
        cores = os.cpu_count()
        ways = {
            "Python loop: algo.run(G)": lambda: [algo.run(G) for G in graphs],
            "algo.map(graphs), 1 thread": lambda: algo.map(graphs, progress=False),
            f"algo.map(graphs, threads={cores})":
                lambda: algo.map(graphs, threads=cores, progress=False),
            f"map_graphs, LocalCluster of {args.workers}":
                lambda: map_graphs(algo, graphs, client, progress=False).compute(),
        }
        rows, base = [], None
        for label, fn in ways.items():
            t = seconds(fn, args.repeat)
            base = base or t
            rows.append([label, f"{t:.3f} s", f"{len(graphs) / t:,.0f}", f"{base / t:.2f}x"])
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    print(f"{args.algorithm} over {args.graphs:,} graphs of {graphs[0].num_nodes:,} nodes and "
          f"~{args.arcs:,} arcs (best of {args.repeat}); cluster start-up {started:.2f} s")
    print_table(rows, ["how", "time", "graphs/s", "speed-up"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
