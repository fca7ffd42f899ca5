"""Fused vs unfused kernels, and the cost model's prediction vs measurement.

    python -m bench.fusion --scale 18 --repeat 5

Times PageRank (GAP rule: damping 0.85, 20 iterations) compiled with all passes
and fusion (opt level 1) and with none (opt level 0: one parallel loop per op),
on the symmetrised Kronecker graph, in one process, and prints the ratio.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import numpy as np  # noqa: E402

import groggy_jit as gj  # noqa: E402
from groggy_jit.driver import Algorithm  # noqa: E402

from .common import fmt_ms, kron_graph_csr, print_table, timeit  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=18)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    A, _ = kron_graph_csr(args.scale)
    graph = gj.Graph.from_scipy(A, directed=False)
    print(f"kron{args.scale}: {graph.num_nodes:,} nodes, {graph.num_edges:,} arcs")
    params = dict(damping=0.85, tol=0.0, max_iter=20)     # exactly 20 iterations
    estimate = _estimator()
    rows, times, results = [], {}, {}
    for level in (1, 0):
        algo = Algorithm.from_ir(gj.pagerank.ir, opt_level=level)
        t = timeit(lambda: algo.run(graph, **params), repeat=args.repeat)
        times[level], results[level] = t.median_ms, t.result.value
        plan = algo.plan_for(str(graph.index_dtype))
        predicted = estimate(plan, graph, iterations=20) if estimate else None
        rows.append([f"opt level {level}", len(plan.groups()), len(plan.slots),
                     fmt_ms(t.median_ms), fmt_ms(t.min_ms), fmt_ms(t.max_ms),
                     "-" if predicted is None else fmt_ms(predicted * 1e3)])
    print_table(rows, ["pagerank", "parallel loops", "arrays", "median ms", "min", "max",
                       "predicted ms"])
    print(f"unfused / fused: {times[0] / times[1]:.2f}x; "
          f"max |difference|: {np.abs(results[0] - results[1]).max():.1e}")
    return 0


def _estimator():
    """Predicted seconds from the plan's cost model, if it is available."""
    try:
        from groggy_jit.plan.estimate import estimate_performance
    except ImportError:
        return None

    def predict(plan, graph, iterations):
        return estimate_performance(plan, graph, iterations=iterations).seconds
    return predict


if __name__ == "__main__":
    raise SystemExit(main())
