"""Where the first result of a fresh process goes when the kernel cache is warm.

    python -m bench.startup [--algorithm pagerank] [--scale 10] [--processes 3] [--cold]

Warms a temporary kernel cache for one catalogue algorithm, then starts fresh Python
processes that compute its first result with perf_counter checkpoints from their first
line: import groggy_jit, import numba, trace + plan + codegen, the cache directory,
Numba's one-time context set-up, the cache lookup and module import (Numba loading the
cached machine code), the first kernel call (which starts the thread pool) and the run.
The same is done for THE FLOOR: a process that imports numpy and numba and calls one
trivial cached parallel kernel, which no Numba library can start faster than.

With ``--cold``, it also times the first result of a fresh process on an EMPTY cache in
auto mode (the interpreter answers while a background process compiles, when that is
predicted faster) against compile-then-run (``GROGGY_JIT_TIER=kernel``), paired.

The helpers here (graph files, the floor kernel, warm first-result probes) are also
used by ``bench.compile``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE_ENV = "GROGGY_JIT_CACHE_DIR"


# --- children ---------------------------------------------------------------------------------

def child_env(cache_dir: Path | str | None = None, tier: str = "kernel") -> dict:
    """The environment of a child: its cache, and the tier (compile-then-run by default)."""
    env = os.environ.copy()
    if cache_dir is not None:
        env[CACHE_ENV] = str(cache_dir)
    env["GROGGY_JIT_TIER"] = tier
    return env


def run_child(code: str, env: dict, *args) -> tuple[dict, float]:
    """Run ``python -c code args`` and return its last stdout line as JSON and its wall time."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], env=env, cwd=REPO,
                         capture_output=True, text=True)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({out.returncode}):\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1]), wall


def build_graph(scale: int):
    """The symmetrised Kronecker graph of this scale (Graph500 parameters)."""
    import groggy_jit as gj
    from groggy_jit.graph.generators import kronecker_edges
    src, dst, n = kronecker_edges(scale)
    return gj.Graph.from_edges(src, dst, num_nodes=n, directed=False)


def save_graph(graph, directory: Path) -> Path:
    """Pickle the graph, so children load it in milliseconds instead of generating it."""
    path = Path(directory) / "graph.pickle"
    with open(path, "wb") as f:
        pickle.dump(graph, f, protocol=pickle.HIGHEST_PROTOCOL)
    return path


# --- THE FLOOR: numpy + numba + one trivial cached parallel kernel ------------------------------

FLOOR_MODULE = "bench_floor_kernel"
FLOOR_SOURCE = textwrap.dedent("""
    import numba
    from numba import prange


    @numba.njit("float64(float64[::1])", parallel=True, cache=True, nogil=True)
    def kernel(x):
        total = 0.0
        for i in prange(x.shape[0]):
            total += x[i]
        return total
""")

# The first line starts the clock; checkpoints are cumulative perf_counter readings.
FLOOR_CHILD = textwrap.dedent("""
    import time; T0 = time.perf_counter()
    import json, os, sys
    marks = []
    def mark(label):
        marks.append((label, time.perf_counter() - T0))
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")    # as groggy-jit does
    import numpy as np
    mark("import numpy | groggy_jit")
    import numba
    mark("import numba")
    if sys.argv[2] == "breakdown":
        from numba.core.registry import cpu_target
        cpu_target.target_context.refresh()
        mark("Numba context set-up")
    sys.path.insert(0, sys.argv[1])
    import MODULE as floor
    mark("cache lookup + module import")
    x = np.ones(1000)
    floor.kernel(x)
    mark("first kernel call")
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        floor.kernel(x)
        runs.append(time.perf_counter() - start)
    hits = sum(floor.kernel.stats.cache_hits.values())
    print(json.dumps({"marks": marks, "steady": sorted(runs)[2], "cache_hits": hits}))
""").replace("MODULE", FLOOR_MODULE)


def make_floor(directory: Path) -> Path:
    """Write the floor kernel to ``directory/floor`` and compile its cache once."""
    floor_dir = Path(directory) / "floor"
    floor_dir.mkdir(parents=True, exist_ok=True)
    (floor_dir / f"{FLOOR_MODULE}.py").write_text(FLOOR_SOURCE)
    run_child(FLOOR_CHILD, child_env(), floor_dir, "plain")
    return floor_dir


def floor_first_result(floor_dir: Path, breakdown: bool = False) -> dict:
    """A fresh process's first call of the warm floor kernel: in-process and whole-process time."""
    report, wall = run_child(FLOOR_CHILD, child_env(), floor_dir,
                             "breakdown" if breakdown else "plain")
    if report["cache_hits"] < 1:
        raise RuntimeError("the floor kernel was compiled, not loaded from Numba's cache")
    return {"first": report["marks"][-1][1], "wall": wall, "marks": report["marks"],
            "steady": report["steady"]}


# --- groggy-jit: the first result of a fresh process --------------------------------------------

GROGGY_CHILD = textwrap.dedent("""
    import time; T0 = time.perf_counter()
    import json, pickle, statistics, sys
    marks = []
    def mark(label):
        marks.append((label, time.perf_counter() - T0))
    import groggy_jit as gj
    mark("import numpy | groggy_jit")
    with open(sys.argv[2], "rb") as f:
        G = pickle.load(f)
    mark("load graph")
    algo = gj.algorithms.REGISTRY[sys.argv[1]]
    dtype = str(G.index_dtype)
    if sys.argv[3] == "breakdown":
        import numba
        mark("import numba")
        algo.source_for(dtype)
        mark("trace + plan + codegen")
        from groggy_jit.runtime.cache import kernel_dir
        kernel_dir()
        mark("cache directory (version tag)")
        from numba.core.registry import cpu_target
        cpu_target.target_context.refresh()
        mark("Numba context set-up")
        algo.kernel_for(dtype)
        mark("cache lookup + module import")
    algo.run(G)
    mark("first kernel call")
    runs = []
    for _ in range(5 if sys.argv[3] == "breakdown" else 0):
        start = time.perf_counter()
        algo.run(G)
        runs.append(time.perf_counter() - start)
    s = algo.stats
    print(json.dumps({"marks": marks, "steady": statistics.median(runs) if runs else None,
                      "compiles": s.compiles, "disk_hits": s.disk_hits}))
""")


def warm_first_result(name: str, graph_path: Path, cache_dir: Path,
                      breakdown: bool = False) -> dict:
    """A fresh process's first result from a warm cache.

    ``first`` runs from the child's first line through ``import groggy_jit`` and the first
    ``algo.run(G)`` returning, without the time spent unpickling the graph; ``wall`` is the
    whole process (interpreter start and exit, and the graph, included) seen from outside.
    """
    report, wall = run_child(GROGGY_CHILD, child_env(cache_dir), name, graph_path,
                             "breakdown" if breakdown else "plain")
    if report["compiles"]:
        raise RuntimeError(f"{name}: the warm process compiled its kernel; is the cache warm?")
    marks = dict(report["marks"])
    graph = marks["load graph"] - marks["import numpy | groggy_jit"]
    return {"first": report["marks"][-1][1] - graph, "wall": wall, "graph": graph,
            "marks": report["marks"], "steady": report["steady"]}


# --- an empty cache: the first result in auto mode vs compile-then-run ----------------------------

COLD_CHILD = textwrap.dedent("""
    import time; T0 = time.perf_counter()
    import json, pickle, sys
    import groggy_jit as gj
    from groggy_jit.runtime import tiers
    start = time.perf_counter()
    with open(sys.argv[2], "rb") as f:
        G = pickle.load(f)
    graph = time.perf_counter() - start
    algo = gj.algorithms.REGISTRY[sys.argv[1]]
    result = algo.run(G)
    first = time.perf_counter() - T0 - graph
    tiers.wait_all()                    # the background compile, if any, lands
    print(json.dumps({"first": first, "tier": result.tier,
                      "landed": time.perf_counter() - T0 - graph}))
""")


def cold_first_result(name: str, graph_path: Path, cache_dir: Path, tier: str) -> dict:
    """A fresh process on an empty cache: first line to first result, in ``tier`` mode.

    ``landed`` is when the kernel is in the cache (the background compile, in auto mode).
    """
    report, wall = run_child(COLD_CHILD, child_env(cache_dir, tier), name, graph_path)
    return dict(report, wall=wall)


def print_cold(name: str, scale: int, graph_path: Path, directory: Path, processes: int) -> None:
    """Time to the first result on an empty cache: auto mode against compile-then-run."""
    from .common import print_table
    runs = {"auto": [], "kernel": []}
    for k in range(processes):                      # paired, alternating which goes first
        for tier in (("auto", "kernel") if k % 2 == 0 else ("kernel", "auto")):
            runs[tier].append(cold_first_result(name, graph_path,
                                                directory / f"cold-{tier}-{k}", tier))
    rows = []
    for tier, label in (("auto", "auto (tiers)"), ("kernel", "compile then run")):
        rs = runs[tier]
        answered = "/".join(sorted({r["tier"] for r in rs}))
        rows.append([label, answered, f"{statistics.median(r['first'] for r in rs):.2f}",
                     f"{statistics.median(r['landed'] for r in rs):.2f}"])
    print(f"\nfirst result of {name} on kron{scale}, a fresh process on an empty cache "
          f"(median of {processes}; graph load left out):")
    print_table(rows, ["mode", "answered by", "first result s", "kernel cached s"])


def phases(marks: list, steady: float | None) -> dict:
    """Cumulative checkpoints as seconds per phase; the first call split into start + run."""
    out, last = {}, 0.0
    for label, t in marks:
        out[label] = t - last
        last = t
    out.pop("load graph", None)
    if steady is not None and "first kernel call" in out:
        out["first kernel call"] -= steady
        out["run"] = steady
    return out


PHASES = [
    ("import numpy | groggy_jit", "import numpy (floor) / groggy_jit (numpy included)"),
    ("import numba", "import numba"),
    ("trace + plan + codegen", "trace + plan + codegen"),
    ("cache directory (version tag)", "cache directory (version tag: llvmlite CPU name)"),
    ("Numba context set-up", "Numba context set-up (BaseContext.refresh)"),
    ("cache lookup + module import", "cache lookup + module import (Numba load)"),
    ("first kernel call", "first kernel call (thread pool start)"),
    ("run", "run"),
]


def breakdown(name: str, graph_path: Path, cache_dir: Path, floor_dir: Path,
              processes: int) -> tuple[list, dict]:
    """Median seconds per phase of groggy-jit's and the floor's warm first result."""
    mine, floor, totals = [], [], {"groggy": [], "floor": [], "groggy wall": [], "floor wall": []}
    for _ in range(processes):
        g = warm_first_result(name, graph_path, cache_dir, breakdown=True)
        f = floor_first_result(floor_dir, breakdown=True)
        mine.append(phases(g["marks"], g["steady"]))
        floor.append(phases(f["marks"], f["steady"]))
        totals["groggy"].append(g["first"])
        totals["floor"].append(f["first"])
        totals["groggy wall"].append(g["wall"])
        totals["floor wall"].append(f["wall"])

    def median(samples, key):
        values = [s[key] for s in samples if key in s]
        return statistics.median(values) if values else None

    rows = [(label, median(mine, key), median(floor, key)) for key, label in PHASES]
    return rows, {k: statistics.median(v) for k, v in totals.items()}


def print_breakdown(name: str, rows: list, totals: dict, processes: int) -> None:
    from .common import print_table

    def ms(x):
        return "-" if x is None else f"{x * 1e3:.1f}"

    body = [[label, ms(a), ms(b)] for label, a, b in rows]
    body.append(["total in-process (first line to first result)", ms(totals["groggy"]),
                 ms(totals["floor"])])
    body.append(["whole process, seen from outside", ms(totals["groggy wall"]),
                 ms(totals["floor wall"])])
    print(f"\nwhere the warm first result of {name} goes (median ms of {processes} fresh "
          "processes; the graph load is left out):")
    print_table(body, ["phase", name, "floor"])
    print("Numba's context set-up runs once per process on its first kernel load; it is "
          "forced here as its own step to be measured.\nfirst kernel call: the first call "
          "minus a steady run; it starts the thread pool.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--algorithm", default="pagerank")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--cold", action="store_true",
                        help="also time the first result on an empty cache: auto mode "
                        "(tiers) against compile-then-run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="groggy-jit-startup-") as tmp:
        tmp = Path(tmp)
        graph_path = save_graph(build_graph(args.scale), tmp)
        cache_dir = tmp / "cache"
        run_child(GROGGY_CHILD, child_env(cache_dir), args.algorithm, graph_path, "plain")
        floor_dir = make_floor(tmp)
        rows, totals = breakdown(args.algorithm, graph_path, cache_dir, floor_dir, args.processes)
        print_breakdown(args.algorithm, rows, totals, args.processes)
        if args.cold:
            print_cold(args.algorithm, args.scale, graph_path, tmp, args.processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
