"""The kernel cache under concurrency: processes and threads at once, and unusable cache dirs.

Most tests start Python subprocesses on a fresh, empty cache directory (``tmp_path``) so
that they see a real first compile; they use ``degree_centrality`` and ``bfs``, whose
kernels compile fastest, and graphs small enough that running costs nothing.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from groggy_jit.errors import CacheError
from groggy_jit.runtime.cache import ENV_DIR, kernel_dir

TIMEOUT = 600          # seconds for one subprocess: a cold compile on a busy machine is slow


# --- helpers ----------------------------------------------------------------------------------

def _env(cache: Path | str) -> dict:
    return dict(os.environ, **{ENV_DIR: str(cache)})


def _start(code: str, cache: Path | str, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], env=_env(cache),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _report(proc: subprocess.Popen) -> dict:
    """The JSON object a child printed on its last line of output."""
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"subprocess timed out after {TIMEOUT} s\nstdout:\n{out}\nstderr:\n{err}")
    assert proc.returncode == 0, f"subprocess failed ({proc.returncode}):\n{err}"
    return json.loads(out.strip().splitlines()[-1])


def _run(code: str, cache: Path | str, *args) -> dict:
    return _report(_start(code, cache, *args))


def _graph(n: int, p: float, seed: int):
    return nx.gnp_random_graph(n, p, seed=seed)


def _kernel_modules(cache: Path) -> list[Path]:
    return sorted(cache.glob("*/groggy_jit_kernel_*.py"))


def _unexpected_files(cache: Path) -> list[str]:
    """Files that are neither a kernel module, its lock, Numba's (or Python's) cache files, nor
    the root's CACHEDIR.TAG.

    Temporary files of an atomic write (ours: ``*.tmp``; Numba's: ``*.tmp.<uuid>``) must
    all have been renamed or removed.
    """
    allowed_top = (".py", ".lock")
    allowed_pycache = (".nbi", ".nbc", ".pyc")
    bad = []
    for path in cache.rglob("*"):
        if path.is_dir():
            continue
        rel = path.relative_to(cache)
        if str(rel) == "CACHEDIR.TAG":
            continue
        in_pycache = rel.parent.name == "__pycache__"
        ok = (path.name.startswith("groggy_jit_kernel_") and ".tmp" not in path.name
              and path.suffix in (allowed_pycache if in_pycache else allowed_top))
        if not ok:
            bad.append(str(rel))
    return bad


def _numba_files(cache: Path, suffix: str) -> list[Path]:
    return sorted(cache.glob(f"*/__pycache__/groggy_jit_kernel_*{suffix}"))


# A worker: builds its graph and imports everything first, says it is ready, waits for the
# start signal, then runs one algorithm and reports its stats, result and timing.
WORKER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    import networkx as nx
    import numba                      # imported up front: the processes race on the kernel
    import groggy_jit as gj

    name, sync, rank = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    n, p, seed = int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
    G = gj.as_graph(nx.gnp_random_graph(n, p, seed=seed))
    algo = gj.algorithms.REGISTRY[name]
    (sync / f"ready-{rank}").touch()
    deadline = time.monotonic() + 300
    while not (sync / "go").exists():
        if time.monotonic() > deadline:
            sys.exit("no start signal")
        time.sleep(0.002)
    start = time.time()
    value = algo.run(G).value
    end = time.time()
    if isinstance(value, dict):
        value = {k: v.tolist() for k, v in value.items()}
    else:
        value = value.tolist()
    s = algo.stats
    print(json.dumps({"name": name, "compiles": s.compiles, "disk_hits": s.disk_hits,
                      "memory_hits": s.memory_hits, "start": start, "end": end,
                      "value": value}))
""")

GRAPH = (60, 0.08, 7)           # n, p, seed of the workers' graph


def _race(tmp_path: Path, names: list[str]) -> tuple[Path, list[dict]]:
    """Start one worker per name, all before any is waited on, and release them together."""
    cache, sync = tmp_path / "cache", tmp_path / "sync"
    sync.mkdir()
    procs = [_start(WORKER, cache, name, sync, rank, *GRAPH) for rank, name in enumerate(names)]
    try:
        deadline = time.monotonic() + TIMEOUT
        while len(list(sync.glob("ready-*"))) < len(procs):
            failed = [p for p in procs if p.poll() not in (None, 0)]
            if failed:
                pytest.fail(f"a worker died before starting:\n{failed[0].communicate()[1]}")
            assert time.monotonic() < deadline, "workers never became ready"
            time.sleep(0.01)
        (sync / "go").touch()
        reports = [_report(p) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    return cache, reports


def _check_values(report: dict) -> None:
    G = _graph(*GRAPH)
    if report["name"] == "degree_centrality":
        expected = nx.degree_centrality(G)
        np.testing.assert_allclose(report["value"], [expected[v] for v in range(len(G))],
                                   rtol=1e-12)
    elif report["name"] == "bfs":
        hops = nx.single_source_shortest_path_length(G, 0)
        np.testing.assert_array_equal(report["value"]["depth"],
                                      [hops.get(v, -1) for v in range(len(G))])
    else:                                                   # pragma: no cover
        raise AssertionError(report["name"])


def _check_one_compile_each(reports: list[dict]) -> None:
    for name in {r["name"] for r in reports}:
        mine = [r for r in reports if r["name"] == name]
        compiles = [r["compiles"] for r in mine]
        assert sorted(compiles) == [0] * (len(mine) - 1) + [1], (name, compiles)
        assert all(r["disk_hits"] == 1 - r["compiles"] for r in mine), mine
        # The test really raced: every worker had asked for the kernel before the
        # compiling one had it, so the others waited on the lock and then loaded it.
        compiler = next(r for r in mine if r["compiles"])
        assert max(r["start"] for r in mine) < compiler["end"]


# --- several processes on an empty cache -------------------------------------------------------

def test_four_processes_two_algorithms_compile_once_each(tmp_path):
    """Two processes race on each of two kernels: one compiles it, the other loads it."""
    cache, reports = _race(tmp_path, ["degree_centrality", "bfs"] * 2)
    for r in reports:
        _check_values(r)
    _check_one_compile_each(reports)
    modules = _kernel_modules(cache)
    assert len(modules) == 2
    assert len(_numba_files(cache, ".nbi")) == 2 and len(_numba_files(cache, ".nbc")) == 2
    assert _unexpected_files(cache) == []


# --- threads ------------------------------------------------------------------------------------

THREADS = textwrap.dedent("""
    import json, threading, time
    from concurrent.futures import ThreadPoolExecutor
    import networkx as nx, numpy as np
    import groggy_jit as gj

    graphs = [gj.as_graph(nx.gnp_random_graph(800 + 150 * k, 8 / (800 + 150 * k), seed=k,
                                              directed=bool(k % 2)))
              for k in range(4)]
    jobs = []
    for k in range(16):
        G = graphs[k % 4]
        if k % 2:
            jobs.append(("bfs", G, {"source": (7 * k) % G.num_nodes}))
        else:
            jobs.append(("pagerank", G, {"damping": (0.5, 0.7, 0.85, 0.95)[k % 8 // 2],
                                         "tol": (1e-4, 1e-9)[k % 4 // 2]}))

    def call(job):
        name, G, params = job
        return gj.algorithms.REGISTRY[name].run(G, **params).value

    def flat(value):
        return np.concatenate(list(value.values())) if isinstance(value, dict) else value

    single = [flat(call(job)) for job in jobs]          # loads both kernels, one thread

    barrier = threading.Barrier(8)
    def worker(t):
        barrier.wait()
        out = []
        for r in range(4):
            k = (t * 5 + r * 3) % len(jobs)             # each thread its own mix of jobs
            start = time.perf_counter()
            value = flat(call(jobs[k]))
            intervals.append((start, time.perf_counter()))
            out.append((k, value))
        return out

    def most_in_flight(intervals):
        events = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals])
        running = overlap = 0
        for _, step in events:
            running += step
            overlap = max(overlap, running)
        return overlap

    results = []
    for attempt in range(5):        # a starved machine may run the short calls one by one
        intervals = []
        with ThreadPoolExecutor(8) as pool:
            results += [x for chunk in pool.map(worker, range(8)) for x in chunk]
        overlap = most_in_flight(intervals)
        if overlap >= 2:
            break
    mismatched = [k for k, value in results if not np.array_equal(value, single[k])]
    stats = {name: vars(gj.algorithms.REGISTRY[name].stats) for name in ("bfs", "pagerank")}
    print(json.dumps({"calls": len(results), "mismatched": mismatched, "overlap": overlap,
                      "loads": {n: s["compiles"] + s["disk_hits"] for n, s in stats.items()}}))
""")


def test_eight_threads_running_cached_kernels_match_one_thread(cache_dir):
    report = _run(THREADS, cache_dir)
    assert report["calls"] >= 32 and report["calls"] % 32 == 0
    assert report["mismatched"] == []
    assert report["overlap"] >= 2             # calls really were in flight at the same time
    assert report["loads"] == {"bfs": 1, "pagerank": 1}


FIRST_CALL_THREADS = textwrap.dedent("""
    import json, threading
    from concurrent.futures import ThreadPoolExecutor
    import networkx as nx
    import numba
    import groggy_jit as gj

    graphs = [gj.as_graph(nx.gnp_random_graph(40 + k, 0.1, seed=k)) for k in range(8)]
    barrier = threading.Barrier(8)
    def first_call(k):
        barrier.wait()
        return gj.degree_centrality.run(graphs[k]).value.tolist()
    with ThreadPoolExecutor(8) as pool:
        values = list(pool.map(first_call, range(8)))
    s = gj.degree_centrality.stats
    print(json.dumps({"compiles": s.compiles, "disk_hits": s.disk_hits,
                      "memory_hits": s.memory_hits, "values": values}))
""")


def test_threads_making_the_first_call_at_once_load_the_kernel_once(tmp_path):
    """Threads whose first calls overlap wait for one load instead of each loading again."""
    report = _run(FIRST_CALL_THREADS, tmp_path)
    for k, value in enumerate(report["values"]):
        expected = nx.degree_centrality(nx.gnp_random_graph(40 + k, 0.1, seed=k))
        np.testing.assert_allclose(value, [expected[v] for v in range(40 + k)], rtol=1e-12)
    assert (report["compiles"], report["disk_hits"], report["memory_hits"]) == (1, 0, 7)


# --- new parameters and graphs never recompile ------------------------------------------------

VARIATIONS = textwrap.dedent("""
    import json, random
    import networkx as nx, numpy as np, scipy.sparse as sp
    import groggy_jit as gj

    weighted = nx.gnp_random_graph(70, 0.06, seed=4, directed=True)
    rng = random.Random(0)
    for u, v in weighted.edges:
        weighted[u][v]["weight"] = rng.uniform(0.5, 3.0)
    labelled = nx.relabel_nodes(nx.karate_club_graph(), {i: f"m{i}" for i in range(34)})
    graphs = [nx.gnp_random_graph(80, 0.05, seed=1, directed=True),
              nx.karate_club_graph(), labelled, weighted,
              sp.random_array((50, 50), density=0.08, rng=np.random.default_rng(3),
                               format="csr"),
              nx.path_graph(5), nx.empty_graph(1)]
    assert {gj.as_graph(G).index_dtype.name for G in graphs} == {"int32"}
    errors = []

    def nodes(G):
        return list(G) if isinstance(G, nx.Graph) else list(range(G.shape[0]))

    def to_nx(G):
        return G if isinstance(G, nx.Graph) else nx.from_scipy_sparse_array(
            G, create_using=nx.DiGraph)

    for G in graphs:                                 # BFS: many sources, every graph
        order = nodes(G)
        for source in {order[0], order[len(order) // 2], order[-1]}:
            depth = gj.bfs(G, source=source)["depth"]      # {node: hops} for networkx input
            hops = nx.single_source_shortest_path_length(to_nx(G), source)
            got = [depth[v] for v in order] if isinstance(depth, dict) else depth.tolist()
            if got != [hops.get(v, -1) for v in order]:
                errors.append(f"bfs source={source!r} on graph {len(order)}")

    for G in graphs:                                 # PageRank: damping and tol
        order = nodes(G)
        for damping in (0.85, 0.5, 0.99):
            for tol in (1e-3, 1e-6, 1e-11):
                r = gj.pagerank.run(G, damping=damping, tol=tol, max_iter=10_000).value
                if tol == 1e-11:
                    ref = nx.pagerank(to_nx(G), alpha=damping, tol=1e-13, max_iter=100_000)
                    if not np.allclose(r, [ref[v] for v in order], rtol=1e-5, atol=1e-7):
                        errors.append(f"pagerank damping={damping} on graph {len(order)}")
        gj.pagerank(damping=0.6, max_iter=3).run(G)

    stats = {name: vars(gj.algorithms.REGISTRY[name].stats) for name in ("bfs", "pagerank")}
    print(json.dumps({"errors": errors, "stats": {n: {k: s[k] for k in
                      ("compiles", "disk_hits", "memory_hits", "runs")}
                      for n, s in stats.items()}}))
""")


def test_new_parameters_sources_and_graphs_never_recompile(cache_dir):
    # the run's cache: each kernel is compiled or loaded from disk once, whichever
    report = _run(VARIATIONS, cache_dir)
    assert report["errors"] == []
    for name, s in report["stats"].items():
        assert s["compiles"] + s["disk_hits"] == 1, (name, s)
        assert s["memory_hits"] == s["runs"] - 1 and s["runs"] > 15, (name, s)


# --- cache directories that cannot be used ------------------------------------------------------

UNUSABLE = textwrap.dedent("""
    import json, os, sys
    import networkx as nx
    import groggy_jit as gj

    reports = []
    for directory in sys.argv[1:]:
        os.environ["GROGGY_JIT_CACHE_DIR"] = directory
        try:
            gj.degree_centrality.run(nx.path_graph(3))
            reports.append({"type": None, "message": ""})
        except Exception as e:
            reports.append({"type": type(e).__name__,
                            "is_cache_error": isinstance(e, gj.errors.CacheError),
                            "message": str(e)})
    print(json.dumps(reports))
""")


def test_a_cache_dir_that_cannot_be_created_raises_cache_error(tmp_path):
    a_file = tmp_path / "not-a-directory"
    a_file.write_text("a regular file\n")
    candidates = [a_file / "cache", a_file]          # under a regular file; a regular file
    out = subprocess.run([sys.executable, "-c", UNUSABLE, *map(str, candidates)],
                         env=_env(tmp_path / "unused"), capture_output=True, text=True,
                         timeout=TIMEOUT)
    assert out.returncode == 0, out.stderr
    reports = json.loads(out.stdout.strip().splitlines()[-1])
    for directory, report in zip(candidates, reports):
        assert report["type"] == "CacheError" and report["is_cache_error"], (directory, report)
        assert "GROGGY_JIT_CACHE_DIR" in report["message"]
        assert str(directory) in report["message"]
    assert a_file.read_text() == "a regular file\n"
    assert not (tmp_path / "unused").exists()


def test_creating_the_cache_directory_at_once_never_fails(tmp_path, monkeypatch):
    """Processes (here: threads, which race the same way on the file system) that find no
    cache directory all create it at once; every one of them must then use it."""
    threads, rounds = 8, 100
    state = {"round": -1}

    def next_round():                       # runs while every thread waits at the barrier
        state["round"] += 1
        os.environ[ENV_DIR] = str(tmp_path / f"round{state['round']}" / "cache")

    barrier = threading.Barrier(threads, action=next_round)
    errors = []

    def create():
        for _ in range(rounds):
            barrier.wait()
            try:
                kernel_dir()
            except CacheError as e:
                errors.append(str(e))

    monkeypatch.setenv(ENV_DIR, str(tmp_path / "unused"))      # restored afterwards
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)             # switch threads between the checks and the mkdirs
    try:
        workers = [threading.Thread(target=create) for _ in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == [], f"{len(errors)} of {threads * rounds} failed, e.g. {errors[0]}"
    tags = [p for p in tmp_path.glob("round*/cache/*") if p.is_dir()]
    assert len(tags) == rounds and all(stat.S_IMODE(os.stat(t).st_mode) == 0o700 for t in tags)


def test_an_existing_cache_root_keeps_its_permissions(tmp_path, monkeypatch):
    """Only directories the cache creates are made private: a directory that already
    exists (a project directory, or /tmp) keeps its mode; the version directory in it is 0700."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o755)
    monkeypatch.setenv(ENV_DIR, str(shared))
    tag = kernel_dir()
    assert stat.S_IMODE(os.stat(tag).st_mode) == 0o700          # the entries stay private
    assert stat.S_IMODE(os.stat(shared).st_mode) == 0o755
