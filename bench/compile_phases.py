"""Where a cold compile goes, per catalogue algorithm, and what Numba's levers change.

    python -m bench.compile_phases [--algorithms pagerank bfs] [--scale 10] [--opt 3 1]
                                   [--rounds 1]

Each measurement is a fresh process on an empty cache that times, in order: tracing,
passes + plan, codegen, ``import numba``, Numba's context set-up, then the compile and
cache save of the kernel, split by Numba's own pipeline timers into type inference, the
parfor passes, lowering (which compiles every ``prange`` body as a nested function and
runs LLVM) and the other passes, with the time LLVM held its lock.  It then runs the
kernel on a small Kronecker graph, so that a lever that makes compiles faster but runs
slower shows up.  With several ``--opt`` levels (``NUMBA_OPT``, set in the child before
Numba starts) the levels alternate per algorithm and round: paired, in one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import textwrap
from pathlib import Path

from .common import print_table
from .startup import build_graph, child_env, run_child, save_graph

CHILD = textwrap.dedent("""
    import json, pickle, statistics, sys, time
    T = {}
    def timed(label, fn):
        start = time.perf_counter()
        out = fn()
        T[label] = time.perf_counter() - start
        return out
    import groggy_jit as gj
    name, graph_path = sys.argv[1], sys.argv[2]
    with open(graph_path, "rb") as f:
        G = pickle.load(f)
    algo = gj.algorithms.REGISTRY[name]
    dtype = str(G.index_dtype)
    timed("trace", lambda: algo.ir)
    timed("passes + plan", lambda: algo.plan_for(dtype))
    source = timed("codegen", lambda: algo.source_for(dtype))
    timed("import numba", lambda: __import__("numba"))
    from numba.core import event
    from numba.core.registry import cpu_target
    timed("Numba context", cpu_target.target_context.refresh)

    class LockTimer(event.Listener):        # the lock is re-entrant: time the outermost hold
        def __init__(self):
            self.depth, self.since, self.total = 0, 0.0, 0.0
        def on_start(self, e):
            if self.depth == 0:
                self.since = time.perf_counter()
            self.depth += 1
        def on_end(self, e):
            self.depth -= 1
            if self.depth == 0:
                self.total += time.perf_counter() - self.since
    llvm = LockTimer()
    from groggy_jit.runtime.cache import DEFAULT_CACHE
    with event.install_listener("numba:llvm_lock", llvm):
        kernel, origin = timed("compile + save", lambda: DEFAULT_CACHE.load(source.text))
    assert origin == "compile", origin
    passes = {}
    for overload in kernel.function.overloads.values():
        for times in overload.metadata.get("pipeline_times", {}).values():
            for key, t in times.items():
                passes[key.split("_", 1)[1]] = t.init + t.run + t.finalize
    def share(test):
        return sum(t for k, t in passes.items() if test(k))
    T["typing"] = share(lambda k: "type_inference" in k)
    T["parfor passes"] = share(lambda k: "parfor" in k and "lowering" not in k)
    T["lowering"] = share(lambda k: "lowering" in k)
    T["other passes"] = sum(passes.values()) - T["typing"] - T["parfor passes"] - T["lowering"]
    T["LLVM (lock held)"] = llvm.total
    runs = []
    for _ in range(7):
        start = time.perf_counter()
        algo.run(G, tier="kernel")
        runs.append(time.perf_counter() - start)
    T["run"] = statistics.median(runs[1:])
    T["prange loops"] = source.text.count("prange(")
    print(json.dumps(T))
""")

COLUMNS = ["trace", "passes + plan", "codegen", "import numba", "Numba context",
           "compile + save", "typing", "parfor passes", "lowering", "other passes",
           "LLVM (lock held)"]


def main(argv=None) -> int:
    import groggy_jit as gj
    names = list(gj.algorithms.REGISTRY)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--algorithms", nargs="+", choices=names, default=names, metavar="NAME")
    parser.add_argument("--scale", type=int, default=10, help="Kronecker scale (10)")
    parser.add_argument("--opt", nargs="+", type=int, default=[3], choices=[0, 1, 2, 3],
                        help="NUMBA_OPT levels to compare, paired (3, Numba's default)")
    parser.add_argument("--rounds", type=int, default=1, help="processes per algorithm and level")
    args = parser.parse_args(argv)
    results: dict[tuple[str, int], list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="groggy-jit-bench-phases-") as tmp:
        graph_path = save_graph(build_graph(args.scale), Path(tmp))
        for name in args.algorithms:
            for k in range(args.rounds):
                levels = args.opt if k % 2 == 0 else args.opt[::-1]
                for opt in levels:
                    env = child_env(Path(tmp) / f"cache-{name}-{opt}-{k}")
                    env["NUMBA_OPT"] = str(opt)
                    report, _ = run_child(CHILD, env, name, graph_path)
                    results.setdefault((name, opt), []).append(report)
            print(f"  {name}: done", file=sys.stderr, flush=True)
    rows = []
    for (name, opt), reports in results.items():
        med = {key: statistics.median(r[key] for r in reports) for key in reports[0]}
        rows.append([name, str(opt), str(int(med["prange loops"]))]
                    + [f"{med[c]:.2f}" for c in COLUMNS] + [f"{med['run'] * 1e3:.2f}"])
    print_table(rows, ["algorithm", "NUMBA_OPT", "loops"] + [f"{c} s" for c in COLUMNS]
                + ["run ms"])
    print(f"\nmedian of {args.rounds} fresh process(es) per row, empty cache each, "
          f"kron{args.scale}; typing .. other passes split compile + save by Numba's pipeline "
          "timers; lowering includes the nested prange-body compiles and LLVM, whose lock "
          "time is the last column.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
