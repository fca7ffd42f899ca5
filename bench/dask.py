"""groggy-jit on Dask: many graphs (``map_graphs``), and one graph split (``run_partitioned``).

    python -m bench.dask                              # 200 graphs of ~100k arcs; kron18, kron20
    python -m bench.dask --graphs 20 --arcs 2000 --scales 10 --rounds 5     # smoke run

1. Many graphs: a Python loop vs ``algo.map`` vs ``groggy_jit.dask.map_graphs``.

The graphs are built before timing, and every kernel is compiled (or loaded) before
any timing starts: in this process for the loop and ``map``, on every worker (a
warm-up ``map_graphs``) for the cluster.  The cluster is a ``LocalCluster`` of
``--workers`` spawned processes, each with its share of the cores as its kernel
thread pool; its start-up time is reported apart.

2. One graph split: PageRank on kron``--scales`` with 1, 2 and 4 partitions, ``--rounds``
   rounds each (no early stop), against the single-machine kernel: time per round,
   bytes of boundary values exchanged per round, and the overhead (time per round over
   the single-machine kernel's time per iteration).  Partition 1 measures the cost of
   the round structure itself (a Dask task per phase, no exchange).

Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import time

import groggy_jit as gj
from bench.common import kron_graph_csr, print_table
from bench.pipeline import random_graphs, timed_rows


def many_graphs(args, client, started: float) -> None:
    from groggy_jit.dask import map_graphs
    algo = gj.algorithms.REGISTRY[args.algorithm]
    graphs = random_graphs(args.graphs, args.arcs)
    algo.run(graphs[0])                                   # compile or load, untimed
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
    rows = timed_rows(ways, len(graphs), args.repeat)
    print(f"{args.algorithm} over {args.graphs:,} graphs of {graphs[0].num_nodes:,} nodes and "
          f"~{args.arcs:,} arcs (best of {args.repeat}); cluster start-up {started:.2f} s")
    print_table(rows, ["how", "time", "graphs/s", "speed-up"])


def partitioned(args, client) -> None:
    from groggy_jit.dask import run_partitioned
    fixed = {"max_iter": args.rounds, "tol": 0.0, "on_nonconvergence": "ignore"}
    for scale in args.scales:
        A, _ = kron_graph_csr(scale)
        G = gj.Graph.from_scipy(A, directed=False)
        gj.pagerank.run(G, **fixed)                                # compile or load
        single = min(gj.pagerank.run(G, **fixed).times["run"] for _ in range(args.repeat))
        per_iteration = single / args.rounds
        rows = [["single machine kernel", f"{per_iteration * 1e3:.1f} ms", "0", "1.00x"]]
        for k in (1, 2, 4):
            run_partitioned(gj.pagerank, G, client, partitions=k, max_iter=1, tol=0.0,
                            on_nonconvergence="ignore")                # warm the round kernels
            best = min((run_partitioned(gj.pagerank, G, client, partitions=k, **fixed)
                        for _ in range(args.repeat)), key=lambda r: r.times["round"])
            rows.append([f"run_partitioned, {k} partition(s)",
                         f"{best.times['round'] * 1e3:.1f} ms",
                         f"{best.bytes_per_round / 1e6:.2f} MB",
                         f"{best.times['round'] / per_iteration:.2f}x"])
        print(f"\nPageRank on kron{scale} ({G.num_nodes:,} nodes, {G.num_edges:,} arcs), "
              f"{args.rounds} rounds, {args.workers} workers (best of {args.repeat})")
        print_table(rows, ["how", "time per round", "exchanged per round", "overhead"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dask",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--algorithm", default="pagerank", help="catalogue name (pagerank)")
    parser.add_argument("--graphs", type=int, default=200, help="number of graphs (200)")
    parser.add_argument("--arcs", type=int, default=100_000, help="arcs per graph (100000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    parser.add_argument("--repeat", type=int, default=3, help="timed repeats, best kept (3)")
    parser.add_argument("--scales", type=int, nargs="*", default=[18, 20],
                        help="Kronecker scales for the partitioned runs (18 20)")
    parser.add_argument("--rounds", type=int, default=20, help="PageRank rounds (20)")
    args = parser.parse_args(argv)
    from groggy_jit.dask import local_client
    start = time.perf_counter()
    client = local_client(args.workers, dashboard=False)
    started = time.perf_counter() - start
    try:
        many_graphs(args, client, started)
        partitioned(args, client)
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
