"""networkx with and without the groggy_jit backend, on a Kronecker graph of about 1M edges.

For ``nx.pagerank``, ``nx.betweenness_centrality(k=...)`` and
``nx.connected_components`` it prints the median time of networkx itself, of the backend
with the conversion from the networkx graph included (the cache on ``G`` cleared before
each call: a first call), and with it excluded (the converted graph cached on ``G``: every
later call). Kernels are compiled before timing. Needs groggy-jit installed (its entry
points make it a networkx backend).

Usage::

    python -m bench.backend                 # scale 16: 65,536 nodes, about 1M edges
    python -m bench.backend --scale 8       # smoke run
"""

from __future__ import annotations

import argparse
import random
import sys

import networkx as nx

from bench.common import fmt_ms, kron_graph_csr, print_table, timeit

BACKEND = "groggy_jit"


def calls(k: int, seed: int) -> dict:
    """The timed calls: name -> function of (G, backend)."""
    return {
        "pagerank": lambda G, backend: nx.pagerank(G, backend=backend),
        f"betweenness_centrality(k={k})": lambda G, backend: nx.betweenness_centrality(
            G, k=k, seed=random.Random(seed), backend=backend),
        "connected_components": lambda G, backend: list(nx.connected_components(
            G, backend=backend)),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=16)
    parser.add_argument("--k", type=int, default=16, help="betweenness sample size")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if BACKEND not in nx.utils.backends.backends:
        print(f"the {BACKEND} backend is not installed: pip install '.[nx]' first",
              file=sys.stderr)
        return 1
    adjacency, _ = kron_graph_csr(args.scale)
    G = nx.from_scipy_sparse_array(adjacency)
    nx.config.warnings_to_ignore.add("cache")         # the cached conversion is the point
    print(f"kron{args.scale}: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges")

    rows = []
    for name, call in calls(args.k, seed=1).items():
        call(G, BACKEND)                                    # compile (or load) the kernel
        def converting():
            G.__networkx_cache__.clear()
            return call(G, BACKEND)
        plain = timeit(lambda: call(G, None), repeat=args.repeat, warmup=0)
        first = timeit(converting, repeat=args.repeat, warmup=0)
        cached = timeit(lambda: call(G, BACKEND), repeat=args.repeat, warmup=1)
        rows.append([name, fmt_ms(plain.median_ms), fmt_ms(first.median_ms), fmt_ms(cached.median_ms),
                     f"{plain.median_ms / first.median_ms:.1f}x", f"{plain.median_ms / cached.median_ms:.1f}x"])
    print_table(rows, ["call", "networkx ms", "backend + conversion ms", "backend ms",
                       "speed-up incl.", "speed-up excl."])
    return 0


if __name__ == "__main__":
    sys.exit(main())
