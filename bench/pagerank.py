"""PageRank benchmark on a GAP Kronecker graph, GAP rule.

Compares, in one process and warm (compilation excluded):

* the hand-written Numba kernel (``kernels.pagerank.pagerank_pull``),
* the SciPy sparse matrix-vector loop (``kernels.pagerank.pagerank_scipy``),
* the groggy-jit generated kernel (``groggy_jit.pagerank``), when available.

GAP rule: damping 0.85, dangling mass spread uniformly, stop when the L1
change of an iteration is below 1e-4 (``tol = 1e-4 / n`` in networkx terms)
or after 20 iterations.

Usage::

    python -m bench.pagerank --scale 18 --repeat 5
    python -m bench.pagerank --scale 10          # smoke run
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from bench.common import fmt_ms, kron_graph_csr, print_table, timeit

DAMPING = 0.85
L1_STOP = 1e-4
MAX_ITER = 20


def _ranks_and_iterations(result):
    """Read (ranks, iterations or None) from a generated-kernel result."""
    if isinstance(result, np.ndarray):
        return result, None
    iterations = getattr(result, "iterations", None)
    for name in ("values", "ranks", "rank", "scores", "result", "output"):
        value = getattr(result, name, None)
        if value is None and isinstance(result, dict):
            value = result.get(name)
        if isinstance(value, dict) and len(value) == 1:
            value = next(iter(value.values()))
        if value is not None:
            try:
                arr = np.asarray(value, dtype=np.float64)
            except (TypeError, ValueError):
                continue
            if arr.ndim == 1:
                return arr, iterations
    if isinstance(result, dict) and len(result) == 1:
        return _ranks_and_iterations(next(iter(result.values())))
    raise TypeError(f"cannot read ranks from a {type(result).__name__} result")


def _generated_kernel(A, tol):
    """(callable, first-call seconds) for the generated kernel, or a reason string."""
    try:
        import groggy_jit

        G = groggy_jit.Graph.from_scipy(A, directed=False)
        algo = groggy_jit.pagerank

        def run():
            return algo.run(G, damping=DAMPING, tol=tol, max_iter=MAX_ITER)

        t0 = time.perf_counter()
        result = run()  # compiles, or loads from the compile cache
        first = time.perf_counter() - t0
        _ranks_and_iterations(result)
    except Exception as exc:  # report whatever stops it, keep benchmarking
        return f"{type(exc).__name__}: {exc}".splitlines()[0][:200], None
    return run, first


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.pagerank", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=18, help="Kronecker scale (default 18)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per kernel (default 5)")
    parser.add_argument("--threads", type=int, default=None, help="Numba threads (default: all)")
    parser.add_argument("--no-cache", action="store_true", help="rebuild the graph, do not cache it")
    args = parser.parse_args(argv)

    # Same thread policy as groggy-jit applies before its first kernel, set
    # before any kernel starts the thread pool so that all kernels share it.
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    import numba

    from kernels.pagerank import pagerank_pull, pagerank_scipy_prepared, scipy_prepare

    if args.threads:
        numba.set_num_threads(args.threads)

    t0 = time.perf_counter()
    A, AT = kron_graph_csr(args.scale, cache=not args.no_cache)
    build_s = time.perf_counter() - t0
    n = A.shape[0]
    tol = L1_STOP / n
    print(
        f"PageRank, kron{args.scale}: {n:,} nodes, {A.nnz:,} arcs (symmetric), "
        f"index dtype {A.indices.dtype}; graph build/load {build_s * 1e3:.0f} ms"
    )
    print(
        f"GAP rule: damping {DAMPING}, stop when L1 change < {L1_STOP:g} "
        f"(tol = {tol:.3g}), max_iter {MAX_ITER}"
    )

    out_degree = np.diff(A.indptr)
    hand_args = (AT.indptr, AT.indices, out_degree, DAMPING, tol, MAX_ITER)
    t0 = time.perf_counter()
    pagerank_pull(*hand_args)
    hand_first = time.perf_counter() - t0
    print(
        f"{numba.get_num_threads()} threads ({numba.threading_layer()}, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}); "
        f"{args.repeat} timed runs per kernel after one warm-up run"
    )

    t0 = time.perf_counter()
    M, inv, dangling = scipy_prepare(A, AT)
    scipy_prep = time.perf_counter() - t0

    timings = {}
    timings["hand-written (Numba)"] = timeit(lambda: pagerank_pull(*hand_args), args.repeat)
    timings["scipy SpMV loop"] = timeit(
        lambda: pagerank_scipy_prepared(M, inv, dangling, DAMPING, tol, MAX_ITER), args.repeat
    )

    gen_run, gen_first = _generated_kernel(A, tol)
    if gen_first is None:
        print(f"generated kernel unavailable: {gen_run}")
    else:
        timings["generated (groggy-jit)"] = timeit(gen_run, args.repeat)

    ref = timings["hand-written (Numba)"].result[0]
    rows = []
    for name, t in timings.items():
        if name.startswith("generated"):
            ranks, iters = _ranks_and_iterations(t.result)
            conv = getattr(t.result, "converged", None)
        else:
            ranks, iters, conv = t.result
        diff = float(np.abs(np.asarray(ranks) - ref).max()) if len(ranks) == len(ref) else float("nan")
        rows.append(
            [
                name,
                fmt_ms(t.median_ms),
                fmt_ms(t.min_ms),
                fmt_ms(t.max_ms),
                "?" if iters is None else iters,
                "?" if conv is None else bool(conv),
                f"{diff:.2e}",
            ]
        )
    print()
    print_table(rows, ["kernel", "median ms", "min ms", "max ms", "iters", "converged", "max|diff|"])
    print()
    extra = f"hand-written first call {hand_first * 1e3:.0f} ms; scipy prepare {scipy_prep * 1e3:.0f} ms"
    if gen_first is not None:
        extra += f"; generated first call {gen_first * 1e3:.0f} ms"
    print(f"(not timed above: {extra})")

    med = {k: v.median_ms for k, v in timings.items()}
    hand, spy = med["hand-written (Numba)"], med["scipy SpMV loop"]
    print("ratios of medians:")
    if "generated (groggy-jit)" in med:
        gen = med["generated (groggy-jit)"]
        print(f"  generated / hand-written = {gen / hand:.2f}x")
        print(f"  scipy / generated        = {spy / gen:.2f}x")
    print(f"  scipy / hand-written     = {spy / hand:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
