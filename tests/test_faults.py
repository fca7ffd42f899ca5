"""Faults from outside: full disks, read-only and shared caches, clear racing a compile, fork, Ctrl-C.

How each fault is injected (every case runs in a child process with its own timeout, so
a hang fails the test instead of the suite):

- full disk: ``ulimit -f 1`` in the child's shell; every write past 1 KiB fails with EFBIG
  (Python ignores SIGXFSZ), as on a full disk or an exhausted quota;
- read-only cache and unwritable ``__pycache__``: the directories are made read-only, and
  when the tests run as root (which ignores file modes) the child drops to the ``nobody``
  user with ``setpriv``, losing root's capabilities; ``HOME`` points at an empty
  directory, so any fallback to ``~/.cache/numba`` would be seen;
- ``cache clear`` racing a compile: a second process clears the cache in a loop while
  the first compiles into it;
- fork: ``multiprocessing.Pool`` with the default start method (fork on Linux) after a
  kernel ran, on the default thread layer and on GNU OpenMP;
- Ctrl-C: the child sends itself SIGINT while a long kernel runs, which must stop early.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

TIMEOUT = 120
ROOT = Path(__file__).resolve().parents[1]
AS_ROOT = os.getuid() == 0
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

# The child: runs one (or two) tiny algorithms, cheap to compile, and reports what
# happened: results, where the first kernel came from, warnings, or the error.
CHILD = textwrap.dedent("""
    import json, sys, warnings
    import networkx as nx
    import groggy_jit as gj

    @gj.algorithm
    def halved_degree(sG):
        return sG.nodes(1.0).degrees() * 0.5

    @gj.algorithm
    def doubled_degree(sG):
        return sG.nodes(1.0).degrees() * 2.0

    G = nx.path_graph(5)
    report = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            report["halved"] = list(halved_degree(G).values())
            if "two" in sys.argv:
                report["doubled"] = list(doubled_degree(G).values())
        except Exception as e:
            report["error"] = f"{type(e).__name__}: {e}"
    report["warnings"] = [str(w.message) for w in caught]
    s = halved_degree.stats
    report["compiles"], report["disk_hits"] = s.compiles, s.disk_hits
    print(json.dumps(report))
""")


def _run(code: str, *args: str, cache: Path, home: Path | None = None, shell_prefix: str = "",
         as_nobody: bool = False, extra_env: dict | None = None) -> dict:
    env = dict(os.environ, GROGGY_JIT_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT),
               **(extra_env or {}))
    if home is not None:
        env["HOME"] = str(home)
        env.pop("XDG_CACHE_HOME", None)
    command = [sys.executable, "-c", code, *args]
    if shell_prefix:
        command = ["bash", "-c", f'{shell_prefix}; exec "$@"', "bash", *command]
    if as_nobody and AS_ROOT:
        command = NOBODY + command
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT,
                         cwd=tempfile.gettempdir())
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def public_tmp():
    """A temporary directory the ``nobody`` user can enter (pytest's tmp_path is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="groggy-jit-faults-"))
    os.chmod(path, 0o755)
    yield path
    for p in [path, *path.rglob("*")]:
        if p.is_dir() and not p.is_symlink():
            os.chmod(p, 0o755)
    shutil.rmtree(path, ignore_errors=True)


EXPECTED = [0.5, 1.0, 1.0, 1.0, 0.5]


def test_a_full_disk_runs_kernels_from_memory_with_one_warning(public_tmp):
    cache = public_tmp / "cache"
    report = _run(CHILD, "two", cache=cache, shell_prefix="ulimit -f 1")   # 1 KiB
    assert "error" not in report, report["error"]
    assert report["halved"] == EXPECTED and report["doubled"] == [2.0, 4.0, 4.0, 4.0, 2.0]
    assert len(report["warnings"]) == 1, report["warnings"]
    assert "cannot be written" in report["warnings"][0] and "compiled in memory" in \
        report["warnings"][0]
    assert not list(cache.rglob("*.nbc"))


@pytest.fixture(scope="module")
def warm_cache(cache_dir):
    """The run's shared cache, holding the child's kernels (compiled at most once per run)."""
    report = _run(CHILD, "two", cache=Path(cache_dir))
    assert report["halved"] == EXPECTED
    return Path(cache_dir)


def _copy_read_only(source: Path, target: Path, only_pycache: bool = False) -> dict:
    shutil.copytree(source, target)
    for p in [target, *target.rglob("*")]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    for p in sorted([target, *target.rglob("*")], reverse=True):
        if not only_pycache or "__pycache__" in p.parts:
            os.chmod(p, stat.S_IMODE(p.stat().st_mode) & ~0o222)
    return {str(p): stat.S_IMODE(p.stat().st_mode) for p in [target, *target.rglob("*")]}


def test_a_read_only_warm_cache_loads_and_changes_nothing(warm_cache, public_tmp):
    cache, home = public_tmp / "cache", public_tmp / "home"
    home.mkdir(mode=0o777)
    os.chmod(home, 0o777)
    modes = _copy_read_only(warm_cache, cache)
    report = _run(CHILD, cache=cache, home=home, as_nobody=True)
    assert "error" not in report, report["error"]
    assert report["halved"] == EXPECTED
    assert (report["compiles"], report["disk_hits"]) == (0, 1)
    assert report["warnings"] == []
    after = {str(p): stat.S_IMODE(p.stat().st_mode) for p in [cache, *cache.rglob("*")]}
    assert after == modes                               # nothing chmod-ed, nothing added
    assert not (home / ".cache").exists()               # nothing went to ~/.cache/numba


def test_an_unwritable_pycache_never_moves_machine_code_elsewhere(warm_cache, public_tmp):
    cache, home = public_tmp / "cache", public_tmp / "home"
    home.mkdir()
    os.chmod(home, 0o777)
    _copy_read_only(warm_cache, cache, only_pycache=True)
    for pycache in cache.glob("*/__pycache__"):        # writable dir, read-only pycache, no code
        for f in pycache.iterdir():
            os.chmod(pycache, 0o755)
            f.unlink()
        os.chmod(pycache, 0o555)
    if AS_ROOT:
        shutil.chown(cache, user=65534)
        for tag in cache.iterdir():
            if tag.is_dir():
                shutil.chown(tag, user=65534)
    report = _run(CHILD, cache=cache, home=home, as_nobody=True)
    assert "error" not in report, report["error"]
    assert report["halved"] == EXPECTED
    assert len(report["warnings"]) == 1 and "cannot be written" in report["warnings"][0]
    assert not (home / ".cache").exists()


CLEARER = textwrap.dedent("""
    import json, os, sys, time
    from groggy_jit.runtime.cache import cache_clear
    errors, cleared, stop = [], 0, sys.argv[1]
    while not os.path.exists(stop):
        try:
            cleared += cache_clear()
        except Exception as e:
            errors.append(f"{type(e).__name__}: {e}")
        time.sleep(0.01)
    print(json.dumps({"errors": errors, "cleared": cleared}))
""")


def test_cache_clear_racing_a_compile(public_tmp):
    cache = public_tmp / "cache"
    env = dict(os.environ, GROGGY_JIT_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT))
    stop = public_tmp / "stop"
    clearer = subprocess.Popen([sys.executable, "-c", CLEARER, str(stop)], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        report = _run(CHILD, "two", cache=cache)
    finally:
        stop.touch()
        out, err = clearer.communicate(timeout=TIMEOUT)
    assert clearer.returncode == 0, err
    cleared = json.loads(out.strip().splitlines()[-1])
    assert cleared["errors"] == []
    assert "error" not in report, report["error"]
    assert report["halved"] == EXPECTED and report["doubled"] == [2.0, 4.0, 4.0, 4.0, 2.0]
    assert all("bug" not in w for w in report["warnings"]), report["warnings"]


FORKER = textwrap.dedent("""
    import json, multiprocessing as mp, time
    import networkx as nx
    import groggy_jit as gj
    from groggy_jit.runtime.launch import threading_layer

    @gj.algorithm
    def halved_degree(sG):                        # the child's kernel: warm in the cache
        return sG.nodes(1.0).degrees() * 0.5

    G = gj.Graph(nx.path_graph(5))

    def work(i):
        return float(halved_degree(G).sum())

    halved_degree(G)                              # a kernel runs before the fork
    start = time.perf_counter()
    report = {"layer": threading_layer(), "method": mp.get_start_method()}
    with mp.Pool(2) as pool:
        try:
            report["sums"] = pool.map_async(work, range(4)).get(timeout=30)
        except Exception as e:
            report["error"] = f"{type(e).__name__}: {e}"
    report["seconds"] = time.perf_counter() - start
    print(json.dumps(report))
""")


def test_a_fork_pool_after_a_kernel_works_on_the_default_layer(warm_cache):
    report = _run(FORKER, cache=warm_cache)
    assert report["method"] == "fork"
    if report["layer"] == "omp":                        # no tbb here: the clear error instead
        assert report["error"].startswith("ThreadingError")
    else:
        assert report.get("sums") == [4.0] * 4, report


def test_a_fork_pool_after_an_openmp_kernel_fails_fast_with_a_clear_error(warm_cache):
    report = _run(FORKER, cache=warm_cache, extra_env={"NUMBA_THREADING_LAYER": "omp"})
    assert report["layer"] == "omp"
    assert report["error"].startswith("ThreadingError: this process was forked"), report
    assert "get_context('spawn')" in report["error"] and "tbb" in report["error"]
    assert report["seconds"] < 5


INTERRUPTED = textwrap.dedent("""
    import json, os, signal, threading, time
    import numpy as np
    import groggy_jit as gj

    # Ctrl-C as in a terminal, also when this runs under a job started in the background
    # (which inherits SIGINT ignored)
    signal.signal(signal.SIGINT, signal.default_int_handler)

    @gj.algorithm
    def spin(sG, rounds: gj.NonNegativeInt = 1):
        x = sG.nodes(1.0)
        with sG.iterate(rounds):
            x = sG.var("x", sG @ x / sG.N + 1.0)
        return x

    G = gj.Graph.from_edges(np.arange(40_000), (np.arange(40_000) + 1) % 40_000, directed=False)  # big enough to run interruptibly
    spin(G, rounds=1)                              # compiled and warm
    per_round = float("inf")
    for _ in range(3):                             # the fastest of three: a stall on a busy
        start = time.perf_counter()                # machine must not shorten the run below
        spin(G, rounds=2000)
        per_round = min(per_round, (time.perf_counter() - start) / 2000)
    rounds = int(min(6.0 / per_round, 2**40))      # about 6 s of kernel
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
    start = time.perf_counter()
    try:
        spin(G, rounds=rounds)
        outcome = "finished"
    except KeyboardInterrupt:
        outcome = "KeyboardInterrupt"
    except BaseException as e:
        outcome = type(e).__name__
    seconds = time.perf_counter() - start
    after = spin(G, rounds=3)                      # nothing left broken
    same = bool(np.allclose(after, spin.interpret(G, rounds=3).value, rtol=1e-12))
    print(json.dumps({"outcome": outcome, "seconds": seconds, "same_after": same}))
""")


def test_ctrl_c_stops_a_kernel_between_rounds(warm_cache):
    # the kernel tier: in "auto" the calibration could run on the interpreter while the
    # kernel compiles, and the kernel would then finish before the interrupt
    report = _run(INTERRUPTED, cache=warm_cache, extra_env={"GROGGY_JIT_TIER": "kernel"})
    assert report["outcome"] == "KeyboardInterrupt"
    assert report["seconds"] < 3.0                 # stopped early, not after all 6 s
    assert report["same_after"]                    # the next call computes the right answer
