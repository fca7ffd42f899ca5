"""Graph kernel benchmark on a GAP Kronecker graph: CC, BFS, SSSP, TC.

Compares, in one process and warm (compilation excluded), the hand-written
Numba kernels in ``kernels/`` with the peers available here:

* connected components: ``afforest`` and ``shiloach_vishkin`` (FastSV)
  against scipy ``connected_components`` and networkx;
* BFS from one source: direction-optimizing ``bfs`` against scipy
  ``breadth_first_order`` and networkx;
* SSSP from one source: ``delta_stepping`` and ``bellman_ford_frontier``
  against scipy ``dijkstra`` and networkx;
* triangle count: ordered ``triangle_count`` against scipy
  ``sum((A @ A) * A) / 6`` and networkx.

networkx (and the scipy triangle count, whose ``A @ A`` has ``sum(deg^2)``
entries) run only up to scale 14. The generated groggy-jit kernels join
through the ``GENERATED`` hook below once they exist.

Graph: ``kron<scale>`` from ``bench.common`` (Graph500 generator, edge factor
16, symmetrised, int32 indices). SSSP weights are uniform integers 1..255,
the same in both directions of an edge (GAP convention). BFS and SSSP start
from one source, drawn with a fixed seed among the nodes with arcs.

Usage::

    python -m bench.kernels --scale 18 --repeat 5
    python -m bench.kernels --scale 10          # smoke run
    python -m bench.kernels --scale 16 --only bfs sssp
    python -m bench.kernels --graph grid1000 --only bfs sssp cc   # high diameter
    python -m bench.kernels --graph road1000

"pull / auto" is the generated kernel with every frontier round forced to pull
(the dense schedule) over the default per-round choice, timed in the same run.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys

# The wait policy groggy-jit itself uses, set before any kernel starts OpenMP threads,
# so hand-written and generated kernels run under the same policy.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
import time
from typing import Any, Callable, Dict

import numpy as np
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph

from bench.common import fmt_ms, print_table, timeit
from bench.graphs import graph_spec

KERNELS = ("cc", "bfs", "sssp", "tc")
TITLES = {
    "cc": "connected components",
    "bfs": "BFS (one source)",
    "sssp": "SSSP (one source)",
    "tc": "triangle count",
}
# networkx, and the scipy triangle count, only up to this scale
NETWORKX_MAX_SCALE = 14
SCIPY_TC_MAX_SCALE = 14
# Delta-stepping bucket width for weights 1..255 (GAP's kron runs use tens).
DELTA = 16.0
MAX_WEIGHT = 255

# ---------------------------------------------------------------------------
# HOOK: generated groggy-jit kernels.
#
# Map a kernel key ("cc", "bfs", "sssp", "tc") to a factory
# ``factory(inputs) -> run`` where ``inputs`` is the dict built by
# ``prepare_inputs`` (CSR arrays, weights, source, scipy matrices) and
# ``run()`` computes the result with the generated kernel; any preparation
# (building a ``groggy_jit.Graph``, the first compiling call) belongs in the
# factory, not in ``run``. The result is checked like the hand-written one:
# labels (cc), depths (bfs), distances (sssp), the count (tc); a result object
# with such an attribute, or a one-entry dict, is unwrapped.
#
# Filled from ``bench/generated.py``: FastSV components, BFS, delta-stepping-style
# SSSP and the triangle count, all written in the DSL.
# ---------------------------------------------------------------------------
from .generated import FACTORIES as GENERATED  # noqa: E402  (cc, bfs, sssp, tc)
from .generated import VARIANTS as GENERATED_VARIANTS  # noqa: E402


def symmetric_weights(A, seed=0, max_weight=MAX_WEIGHT):
    """Integer weights ``1 .. max_weight`` (as float64) aligned with
    ``A.indices``, equal for ``u -> v`` and ``v -> u``. ``A`` must be
    symmetric, canonical (sorted, no duplicates) and loop-free."""
    U = sp.triu(A, k=1).tocsr()
    rng = np.random.default_rng(seed)
    U.data = rng.integers(1, max_weight + 1, size=U.nnz).astype(np.float64)
    W = (U + U.T).tocsr()
    W.sort_indices()
    if not (np.array_equal(W.indptr, A.indptr) and np.array_equal(W.indices, A.indices)):
        raise ValueError("adjacency must be symmetric and canonical, without self loops")
    return W


def pick_source(indptr, seed=0):
    """A node with at least one arc, drawn with a fixed seed (GAP's rule)."""
    nonzero = np.flatnonzero(np.diff(indptr) > 0)
    if nonzero.size == 0:
        return 0
    return int(np.random.default_rng(seed).choice(nonzero))


def prepare_inputs(A, seed=0):
    """Everything the kernels take, built once (not timed)."""
    W = symmetric_weights(A, seed=seed)
    return {
        "A": A,
        "W": W,
        "indptr": A.indptr,
        "indices": A.indices,
        "weights": W.data,
        "source": pick_source(A.indptr, seed=seed),
        "n": A.shape[0],
    }


# ----------------------------------------------------------------- kernels
def hand_written(key, inp):
    """``{name: run}`` for the hand-written kernels of ``key``."""
    ip, ix, s = inp["indptr"], inp["indices"], inp["source"]
    if key == "cc":
        from kernels.components import afforest, shiloach_vishkin

        return {
            "afforest": lambda: afforest(ip, ix),
            "shiloach_vishkin (FastSV)": lambda: shiloach_vishkin(ip, ix),
        }
    if key == "bfs":
        from kernels.bfs import bfs

        return {"bfs (direction-optimizing)": lambda: bfs(ip, ix, ip, ix, s)}
    if key == "sssp":
        from kernels.sssp import bellman_ford_frontier, delta_stepping

        w = inp["weights"]
        return {
            f"delta_stepping (delta={DELTA:g})": lambda: delta_stepping(ip, ix, w, s, DELTA),
            "bellman_ford_frontier": lambda: bellman_ford_frontier(ip, ix, w, s),
        }
    if key == "tc":
        from kernels.triangles import triangle_count

        return {"triangle_count (ordered)": lambda: triangle_count(ip, ix)}
    raise KeyError(key)


def scipy_peers(key, inp, scale):
    """``({name: run}, notes)`` for the scipy peers of ``key``."""
    A, s = inp["A"], inp["source"]
    if key == "cc":
        return {"scipy connected_components": lambda: csgraph.connected_components(A, directed=False)}, []
    if key == "bfs":
        # A is symmetric: directed=True reads it as is (no symmetrising copy)
        return {
            "scipy breadth_first_order": lambda: csgraph.breadth_first_order(
                A, s, directed=True, return_predecessors=True
            )
        }, []
    if key == "sssp":
        W = inp["W"]
        return {"scipy dijkstra": lambda: csgraph.dijkstra(W, directed=True, indices=s)}, []
    if key == "tc":
        if scale > SCIPY_TC_MAX_SCALE:
            return {}, [f"scipy (A @ A) * A skipped above scale {SCIPY_TC_MAX_SCALE} (memory)"]
        return {"scipy sum((A @ A) * A) / 6": lambda: int((A @ A).multiply(A).sum()) // 6}, []
    raise KeyError(key)


def networkx_peers(key, inp, scale, cache):
    """``({name: run}, notes)`` for networkx, at small scales only."""
    if scale > NETWORKX_MAX_SCALE:
        return {}, [f"networkx skipped above scale {NETWORKX_MAX_SCALE} (too slow)"]
    import networkx as nx

    if "G" not in cache:  # built once, not timed
        cache["G"] = nx.from_scipy_sparse_array(inp["A"])
        cache["GW"] = nx.from_scipy_sparse_array(inp["W"])
    G, GW, s = cache["G"], cache["GW"], inp["source"]
    if key == "cc":
        return {"networkx connected_components": lambda: list(nx.connected_components(G))}, []
    if key == "bfs":
        return {"networkx shortest_path_length": lambda: nx.single_source_shortest_path_length(G, s)}, []
    if key == "sssp":
        return {"networkx dijkstra": lambda: nx.single_source_dijkstra_path_length(GW, s)}, []
    if key == "tc":
        return {"networkx triangles": lambda: sum(nx.triangles(G).values()) // 3}, []
    raise KeyError(key)


# kernels also timed with every frontier round forced to pull (as before sparse
# frontiers existed), for a paired ratio in one run
PAIRED_SCHEDULES = ("bfs", "sssp")
PULL_ROW = "generated, schedule=pull"


def generated_kernels(key, inp):
    """``({name: run}, notes)`` from the ``GENERATED`` hook (and its ``VARIANTS``)."""
    factory = GENERATED.get(key)
    if factory is None:
        return {}, ["generated kernel: not available yet"]
    makers = {"generated (groggy-jit)": factory}
    if key in PAIRED_SCHEDULES:
        makers = {name: functools.partial(factory, schedule=schedule) for name, schedule in
                  (("generated (groggy-jit)", "auto"), (PULL_ROW, "pull"))}
    makers.update(GENERATED_VARIANTS.get(key, {}))
    found, notes = {}, []
    for name, make in makers.items():
        try:
            t0 = time.perf_counter()
            run = make(inp)
            run()  # compiles, or loads from the compile cache
            first = time.perf_counter() - t0
        except Exception as exc:  # report whatever stops it, keep benchmarking
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
            return found, notes + [f"generated kernel unavailable: {reason}"]
        found[name] = run
        notes.append(f"{name} set-up and first call {first * 1e3:.0f} ms")
    return found, notes


def _one_thread(fn, threads):
    import numba

    def run():
        numba.set_num_threads(1)
        try:
            return fn()
        finally:
            numba.set_num_threads(threads)

    return run


# ------------------------------------------------------ result summaries
def _unwrap(result, names):
    if isinstance(result, dict) and len(result) == 1:
        result = next(iter(result.values()))
    for name in names:
        value = getattr(result, name, None)
        if value is not None:
            return value
    return result


def summarize(key, name, result, n):
    """A short comparable summary of a kernel's result."""
    if key == "cc":
        if name.startswith("scipy"):
            return f"{result[0]} components"
        if name.startswith("networkx"):
            return f"{len(result)} components"
        labels = np.asarray(_unwrap(result, ("labels", "components", "values")))
        return f"{len(np.unique(labels))} components"
    if key == "bfs":
        if name.startswith("scipy"):
            return f"{len(result[0])} reached"
        if name.startswith("networkx"):
            return f"{len(result)} reached"
        if isinstance(result, tuple):
            depth = result[0]
        else:
            depth = np.asarray(_unwrap(result, ("depth", "depths", "level", "values")))
        return f"{int((depth >= 0).sum())} reached, depth {int(depth.max())}"
    if key == "sssp":
        if name.startswith("networkx"):
            dist = np.array(list(result.values()), dtype=np.float64)
        else:
            dist = np.asarray(_unwrap(result, ("dist", "distances", "values")), dtype=np.float64)
        finite = dist[np.isfinite(dist)]
        return f"{finite.size} reached, sum {finite.sum():.0f}"
    if key == "tc":
        return f"{int(_unwrap(result, ('count', 'triangles', 'value')))} triangles"
    raise KeyError(key)


# ------------------------------------------------------------------ driver
def run_kernel(key, inp, scale, repeat, nx_cache):
    """Time every implementation of ``key``; returns (rows, notes)."""
    notes = []
    impls = {}
    hand = hand_written(key, inp)
    first = {}
    for name, fn in hand.items():
        t0 = time.perf_counter()
        fn()  # compiles, or loads from the Numba cache
        first[name] = time.perf_counter() - t0
    notes.append(
        "hand-written first call (compile or cache load): "
        + ", ".join(f"{k.split()[0]} {v * 1e3:.0f} ms" for k, v in first.items())
    )
    impls.update(hand)
    import numba

    threads = numba.get_num_threads()
    if threads > 1:
        # the same kernel on one thread: shows what the parallel loops gain,
        # and what waking the other threads costs on a busy machine
        name, fn = next(iter(hand.items()))
        impls[f"{name.split()[0]}, 1 thread"] = _one_thread(fn, threads)
    for source in (generated_kernels(key, inp), scipy_peers(key, inp, scale), networkx_peers(key, inp, scale, nx_cache)):
        found, more = source
        impls.update(found)
        notes.extend(more)

    timings = {}
    for name, fn in impls.items():
        timings[name] = timeit(fn, repeat=repeat, warmup=1)
    base_name = next(iter(hand))
    base = timings[base_name].median_ms
    rows = []
    for name, t in timings.items():
        rows.append(
            [
                name,
                fmt_ms(t.median_ms),
                fmt_ms(t.min_ms),
                fmt_ms(t.max_ms),
                f"{t.median_ms / base:.2f}x",
                summarize(key, name, t.result, inp["n"]),
            ]
        )
    return rows, notes, timings, list(hand)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.kernels", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=18, help="Kronecker scale (default 18)")
    parser.add_argument("--graph", default=None,
                        help="instead of kron<scale>: any graph of bench.graphs, e.g. grid1000, "
                             "road1000, urand16")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per kernel (default 5)")
    parser.add_argument("--threads", type=int, default=None, help="Numba threads (default: all)")
    parser.add_argument("--only", nargs="+", choices=KERNELS, default=list(KERNELS), help="kernels to run")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and the source (default 0)")
    parser.add_argument("--no-cache", action="store_true", help="rebuild the graph, do not cache it")
    args = parser.parse_args(argv)

    import numba

    if args.threads:
        numba.set_num_threads(args.threads)

    t0 = time.perf_counter()
    name = args.graph or f"kron{args.scale}"
    A = graph_spec(name).load(not args.no_cache)
    build_s = time.perf_counter() - t0
    if args.graph:       # the networkx and scipy-TC limits go by size
        args.scale = max(A.shape[0].bit_length() - 1, 0)
    t0 = time.perf_counter()
    inp = prepare_inputs(A, seed=args.seed)
    prep_s = time.perf_counter() - t0
    n = A.shape[0]
    print(
        f"Graph kernels, {name}: {n:,} nodes, {A.nnz:,} arcs (symmetric), "
        f"index dtype {A.indices.dtype}; graph build/load {build_s * 1e3:.0f} ms, "
        f"weights {prep_s * 1e3:.0f} ms"
    )
    print(
        f"{numba.get_num_threads()} threads; {args.repeat} timed runs after one warm-up run; "
        f"source {inp['source']} (degree {int(np.diff(A.indptr)[inp['source']])}); "
        f"SSSP weights 1..{MAX_WEIGHT}, delta {DELTA:g}"
    )
    print("ratio = median / median of the first hand-written kernel of the group (lower is faster)")
    policy = os.environ.get("OMP_WAIT_POLICY")
    print(
        f"OMP_WAIT_POLICY={policy or 'unset'}: on a machine shared with other busy processes, "
        "spinning OpenMP threads can make every parallel loop wait a scheduler tick; "
        "OMP_WAIT_POLICY=passive avoids that. Compare with the 1-thread rows."
    )

    nx_cache = {}
    summary = []
    for key in args.only:
        rows, notes, timings, hand_names = run_kernel(key, inp, args.scale, args.repeat, nx_cache)
        print()
        print(f"== {TITLES[key]}")
        print_table(rows, ["implementation", "median ms", "min ms", "max ms", "ratio", "result"])
        for note in notes:
            print(f"  ({note})")
        base = timings[hand_names[0]].median_ms
        peers = {
            k: v.median_ms
            for k, v in timings.items()
            if k.startswith(("scipy", "networkx"))
        }
        best_peer = min(peers, key=peers.get) if peers else None
        gen = timings.get("generated (groggy-jit)")
        pulled = timings.get(PULL_ROW)
        one = next((v.median_ms for k, v in timings.items() if k.endswith(", 1 thread")), None)
        summary.append(
            (key, base, one, best_peer, peers.get(best_peer), None if gen is None else gen.median_ms,
             None if pulled is None or gen is None else pulled.median_ms / gen.median_ms)
        )

    print()
    print("== summary (median ms; ratios of medians from this run)")
    rows = []
    for key, base, one, peer, peer_ms, gen_ms, gain in summary:
        rows.append(
            [
                TITLES[key],
                fmt_ms(base),
                "-" if one is None else fmt_ms(one),
                "-" if gen_ms is None else fmt_ms(gen_ms),
                "-" if gen_ms is None else f"{gen_ms / base:.2f}x",
                "-" if gain is None else f"{gain:.2f}x",
                "-" if peer is None else peer,
                "-" if peer is None else fmt_ms(peer_ms),
                "-" if peer is None else f"{peer_ms / base:.2f}x",
            ]
        )
    print_table(
        rows,
        ["kernel", "hand-written", "1 thread", "generated", "gen / hand", "pull / auto", "best peer",
         "peer ms", "peer / hand"],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
