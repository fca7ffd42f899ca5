"""The benchmark run: every graph, kernel and library, checked, timed within a budget.

For each graph: load it (timed), build the inputs every kernel shares
(weights, source, sampled betweenness sources) and the reference answers (not
timed), then for each kernel: for each library, its own graph object when it
has none yet (timed as construction) and one warm-up call, whose output must
pass the check before the time counts; then the libraries' timed calls in
turns (one call of each, then again), up to ``repeat`` calls per row, fewer
when they would overrun ``budget`` seconds. Taking turns makes a drift of the
machine's speed reach every library of a ratio alike. A row is never dropped: a kernel
that is missing, over the time cap (predicted from the same library on a
smaller graph of the family), wrong or failing is a row saying so. The first
call of a JIT library includes compiling (or loading its cache), so only timed
runs count, and the cap acts through the prediction.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from . import checks
from .graphs import graph_spec
from .kernels import pick_source, symmetric_weights
from .peers import KERNELS, Missing, OverBudget, bc_sources, libraries, set_threads

__all__ = ["Row", "run_suite", "environment", "prepare_inputs", "load_graph", "skip_reason", "work"]

# networkx keeps Python objects per arc: above this many arcs it would not fit in memory
NETWORKX_MAX_ARCS = 20_000_000
def work(kernel, role, nodes, arcs):
    """How a row's time grows with the graph, to predict a bigger graph from a smaller one:
    with the arcs, and arcs ** 1.5 for triangles."""
    return float(arcs) ** (1.5 if kernel == "tc" else 1.0)

@dataclass
class Row:
    graph: str
    kernel: str
    library: str
    role: str
    status: str                 # ok, mismatch, error, missing, over budget
    detail: str = ""
    median_ms: float | None = None
    min_ms: float | None = None
    max_ms: float | None = None
    runs: int = 0
    first_ms: float | None = None  # the warm-up call (includes compiling, for JIT libraries)
    times_ms: list = field(default_factory=list)


def prepare_inputs(A, seed=0):
    """Inputs every implementation takes, built once per graph (not timed)."""
    W = symmetric_weights(A, seed=seed)
    n = A.shape[0]
    sources = bc_sources(n, seed=seed)
    mask = np.zeros(n, dtype=bool)
    mask[sources] = True
    return {"A": A, "W": W, "indptr": A.indptr, "indices": A.indices, "weights": W.data,
            "source": pick_source(A.indptr, seed=seed), "n": n,
            "bc_sources": sources, "bc_mask": mask}


def environment(threads: int, libs) -> dict:
    """What the numbers depend on: versions, CPU, threads, thread layer and wait policy."""
    import numba

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel kernel has run yet
        layer = "not yet chosen"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=os.path.dirname(__file__), timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {
        "cpu": cpu, "cores": os.cpu_count(), "threads": threads, "platform": platform.platform(),
        "python": platform.python_version(), "numba_threading_layer": layer,
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "unset"),
        "commit": commit, "command": None,  # filled in by the caller that knows its arguments
        "versions": {lib.distribution: lib.version for lib in libs if lib.missing is None},
        "single_threaded": [lib.name for lib in libs if not lib.parallel],
        "missing": {lib.name: lib.missing for lib in libs if lib.missing},
        "numpy": np.__version__,
    }


# Kernels whose time follows the diameter (rounds of level-synchronous traversals), so that a
# grid predicts nothing about a Kronecker graph, nor the reverse.
DIAMETER_BOUND = {"bfs", "sssp", "bc"}


class _Predictor:
    """Seconds a row would take, from the same library and kernel on the last smaller graph
    measured: of the same family when there is one, else of any family, but for traversals
    only of one with the same kind of diameter."""

    def __init__(self):
        self.seen = []  # (spec, library, kernel, work, seconds)

    def record(self, spec, library, kernel, work, seconds):
        self.seen.append((spec, library, kernel, work, seconds))

    def predict(self, spec, library, kernel, work):
        same = [s for s in self.seen if s[1:3] == (library, kernel) and s[3] <= work
                and (kernel not in DIAMETER_BOUND or s[0].high_diameter == spec.high_diameter)]
        if not same:
            return None
        pick = max(same, key=lambda s: (s[0].family == spec.family, s[3]))
        return pick[4] * work / max(pick[3], 1.0)


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t0) * 1e3


def _error(exc) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:160]


class _Timed:
    """One row being measured: its call, how to read its output, its times so far."""

    def __init__(self, row, run, canon, ref):
        self.row, self.run, self.canon, self.ref = row, run, canon, ref
        self.times, self.spent, self.out = [], 0.0, None

    def wants_more(self, repeat, budget) -> bool:
        return len(self.times) < repeat and (not self.times
                                             or self.spent + self.times[-1] <= budget * 1e3)


def _fail(row, exc) -> None:
    if isinstance(exc, OverBudget):
        row.status, row.detail = "over budget", str(exc)
    else:  # a library failing is a result to show, not a crash
        row.status, row.detail = "error", _error(exc)


def _warm_up(row, impl, native, inp, ref):
    """The row's first call, checked; a ``_Timed`` to time, or None (the row says why)."""
    try:
        run, canon = impl(native, inp)
        out, row.first_ms = _timed(run)
        problem = checks.check(row.kernel, canon(out), ref, inp)
    except Exception as exc:
        _fail(row, exc)
        return None
    if problem is not None:
        row.status, row.detail = "mismatch", problem
        return None
    return _Timed(row, run, canon, ref)


def time_rows(timed, inp, repeat, budget) -> None:
    """Time the rows of one graph and kernel in turns (one call of each, then again), so that
    a drift of the machine's speed during the measurement reaches every library alike; each
    row stops at ``repeat`` runs or at its ``budget`` seconds. Fills the rows."""
    active = list(timed)
    while active:
        for t in active:
            try:
                t.out, ms = _timed(t.run)
            except Exception as exc:
                _fail(t.row, exc)
                t.times = None
                continue
            t.times.append(ms)
            t.spent += ms
        active = [t for t in active if t.times is not None and t.wants_more(repeat, budget)]
    for t in timed:
        if t.times is None:
            continue
        row = t.row
        try:
            problem = checks.check(row.kernel, t.canon(t.out), t.ref, inp)
        except Exception as exc:
            _fail(row, exc)
            continue
        if problem is not None:
            row.status, row.detail = "mismatch", problem
            continue
        if len(t.times) < repeat:
            row.detail = f"{len(t.times)} of {repeat} runs (time budget)"
        row.status, row.runs, row.times_ms = "ok", len(t.times), t.times
        row.median_ms, row.min_ms, row.max_ms = statistics.median(t.times), min(t.times), max(t.times)
        t.out = None


def load_graph(spec, kernels, cache):
    """``(inputs, references, graph record)`` of one graph; the load is timed, the rest not."""
    t0 = time.perf_counter()
    A = spec.load(cache)
    load_s = time.perf_counter() - t0
    inp = prepare_inputs(A)
    refs, how = {}, {}
    for k in kernels:
        refs[k], how[k] = checks.reference(k, inp)
    record = {"name": spec.name, "family": spec.family, "note": spec.note, "nodes": inp["n"],
              "arcs": int(A.nnz), "index_bytes": A.indices.dtype.itemsize, "load_s": load_s,
              "source": int(inp["source"]), "references": how}
    return inp, refs, record


def skip_reason(lib, impl, arcs, predicted, cap):
    """``(status, detail)`` of a row that is not run, or None to run it."""
    if lib.missing:
        return "missing", lib.missing
    if isinstance(impl, Missing):
        return "missing", impl.reason
    if lib.module == "networkx" and arcs > NETWORKX_MAX_ARCS:
        return "over budget", f"networkx above {NETWORKX_MAX_ARCS:,} arcs (memory)"
    if predicted is not None and predicted > cap:
        return "over budget", f"predicted {predicted:.0f} s > cap {cap:g} s (from a smaller graph)"
    return None


def run_suite(graphs, kernels=KERNELS, only=None, threads=None, repeat=5, budget=10.0, cap=120.0,
              cache=True, progress=None):
    """Run the benchmark; returns ``{"environment", "graphs", "construction", "rows", "kernels"}``.

    ``graphs`` are names for ``bench.graphs.graph_spec``, smallest first (each row's time is
    predicted from a smaller graph's); ``only`` limits the libraries (names as in
    ``bench.peers.libraries``); ``progress(done, total, text)`` is called around every row.
    """
    import numba

    threads = threads or numba.config.NUMBA_NUM_THREADS
    libs = [lib for lib in libraries() if only is None or lib.name in only]
    set_threads(threads, libs)
    specs = [graph_spec(name) for name in graphs]
    total = len(specs) * len(kernels) * len(libs)
    predictor, graph_records, construction, rows = _Predictor(), [], [], []
    say = progress or (lambda done, total, text: None)
    done = 0
    for spec in specs:
        if not spec.available:
            rows += [Row(spec.name, k, lib.name, lib.role, "missing", spec.note + " not installed")
                     for lib in libs for k in kernels]
            done += len(libs) * len(kernels)
            continue
        say(done, total, f"{spec.name}: graph and reference answers")
        inp, refs, record = load_graph(spec, kernels, cache)
        graph_records.append(record)
        natives = {}  # each library's graph object, built when its first row runs, timed apart
        graph_rows = {lib.name: [] for lib in libs}
        for k in kernels:
            timed = []
            for lib in libs:
                row = Row(spec.name, k, lib.name, lib.role, "missing")
                graph_rows[lib.name].append(row)
                impl = lib.kernels.get(k, Missing("no such kernel"))
                row_work = work(k, lib.role, inp["n"], record["arcs"])
                skip = skip_reason(lib, impl, record["arcs"],
                                   predictor.predict(spec, lib.name, k, row_work), cap)
                say(done, total, f"{spec.name}: {k} / {lib.name}")
                done += 1
                if skip:
                    row.status, row.detail = skip
                    continue
                if lib.name not in natives:
                    try:
                        natives[lib.name], ms = _timed(lambda: lib.build(inp))
                        construction.append({"graph": spec.name, "library": lib.name, "ms": ms})
                    except Exception as exc:  # shown on every row of this library and graph
                        natives[lib.name] = exc
                native = natives[lib.name]
                if isinstance(native, Exception):
                    row.status, row.detail = "error", "graph construction: " + _error(native)
                    continue
                t = _warm_up(row, impl, native, inp, refs[k])
                if t is not None:
                    timed.append(t)
            time_rows(timed, inp, repeat, budget)
            for t in timed:
                if t.row.status == "ok":
                    predictor.record(spec, t.row.library, k,
                                     work(k, t.row.role, inp["n"], record["arcs"]),
                                     t.row.median_ms / 1e3)
            for lib in libs:
                row = graph_rows[lib.name][-1]
                if lib.notes.get(k):
                    row.detail = "; ".join(filter(None, [row.detail, lib.notes[k]]))
        natives.clear()
        rows += [row for lib in libs for row in graph_rows[lib.name]]
    return {"environment": environment(threads, libs), "graphs": graph_records,
            "construction": construction, "rows": [asdict(r) for r in rows], "kernels": list(kernels)}


def best(rows, graph, kernel, roles):
    """The fastest checked row of ``graph``/``kernel`` among libraries of ``roles``, or None."""
    ok = [r for r in rows if r["graph"] == graph and r["kernel"] == kernel and r["role"] in roles
          and r["status"] == "ok"]
    return min(ok, key=lambda r: r["median_ms"]) if ok else None


def ratios(rows, graph, kernel):
    """``(generated / hand-written, best peer / generated, best peer name)`` (None when unknown)."""
    gen = best(rows, graph, kernel, ("generated",))
    hand = best(rows, graph, kernel, ("hand-written",))
    peer = best(rows, graph, kernel, ("peer",))
    gh = gen["median_ms"] / hand["median_ms"] if gen and hand else None
    pg = peer["median_ms"] / gen["median_ms"] if gen and peer else None
    return gh, pg, peer["library"] if peer else None


def fmt_ratio(x):
    return "-" if x is None or not math.isfinite(x) else f"{x:.2f}x"
