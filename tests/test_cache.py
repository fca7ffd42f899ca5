"""Compile once, run many: memory cache, disk cache across processes, damaged entries."""

import json
import os
import stat
import subprocess
import sys
import textwrap
import warnings

import networkx as nx
import numpy as np
import pytest

import groggy_jit as gj
from groggy_jit.runtime import cache as cache_mod
from groggy_jit.runtime.cache import KernelCache, kernel_dir, module_name
from groggy_jit.runtime.executor import kernel_args


def test_new_parameters_and_graphs_never_recompile():
    G1 = nx.gnp_random_graph(60, 0.1, seed=1, directed=True)
    G2 = nx.gnp_random_graph(90, 0.05, seed=2, directed=True)
    gj.pagerank.run(G1)
    compiles = gj.pagerank.stats.compiles + gj.pagerank.stats.disk_hits
    hits = gj.pagerank.stats.memory_hits
    gj.pagerank.run(G1, damping=0.5)
    gj.pagerank.run(G2, tol=1e-9, max_iter=7, on_nonconvergence="ignore")
    gj.pagerank(damping=0.7).run(G2)
    assert gj.pagerank.stats.compiles + gj.pagerank.stats.disk_hits == compiles
    assert gj.pagerank.stats.memory_hits == hits + 3


def test_a_new_process_finds_the_disk_cache(cache_dir):
    gj.pagerank.run(nx.path_graph(4))            # make sure this process compiled or loaded it
    code = textwrap.dedent("""
        import json, networkx as nx, groggy_jit as gj
        r = gj.pagerank.run(nx.path_graph(5))
        s = gj.pagerank.stats
        print(json.dumps({"compiles": s.compiles, "disk_hits": s.disk_hits,
                          "sum": float(r.value.sum())}))
    """)
    env = dict(os.environ, GROGGY_JIT_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)
    report = json.loads(out.stdout)
    assert report["compiles"] == 0
    assert report["disk_hits"] == 1
    assert report["sum"] == pytest.approx(1.0)


def test_cache_directory_is_private():
    mode = stat.S_IMODE(os.stat(kernel_dir()).st_mode)
    assert mode == 0o700


def test_a_damaged_module_file_is_rebuilt_not_imported():
    graph = gj.as_graph(nx.karate_club_graph())
    expected = gj.degree_centrality.run(graph).value
    source = gj.degree_centrality.source_for("int32").text
    path = kernel_dir() / f"{module_name(source)}.py"
    assert path.exists()
    for damage in (source[: len(source) // 2],                       # truncated
                   source.replace("np.divide", "np.multiply")):       # tampered
        path.write_text(damage)
        fresh = KernelCache()
        with pytest.warns(RuntimeWarning, match="does not match"):
            kernel, origin = fresh.load(source)
        assert path.read_text() == source
        out = kernel.function(*kernel_args(graph, {}))
        np.testing.assert_array_equal(out[0], expected)


def test_garbage_numba_cache_files_are_recovered_from(tmp_path, monkeypatch):
    monkeypatch.setenv("GROGGY_JIT_CACHE_DIR", str(tmp_path))
    graph = gj.as_graph(nx.path_graph(6))
    source = gj.degree_centrality.source_for("int32").text
    KernelCache().load(source)                               # compile into the empty cache
    files = cache_mod._numba_files(kernel_dir(), module_name(source))
    assert any(f.suffix == ".nbi" for f in files) and any(f.suffix == ".nbc" for f in files)
    for f in files:
        f.write_bytes(b"\x00garbage")
    sys.modules.pop(module_name(source), None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        kernel, origin = KernelCache().load(source)
    out = kernel.function(*kernel_args(graph, {}))
    np.testing.assert_allclose(out[0], [0.2, 0.4, 0.4, 0.4, 0.4, 0.2])


def test_cache_info_and_clear_commands(tmp_path):
    env = dict(os.environ, GROGGY_JIT_CACHE_DIR=str(tmp_path))
    (tmp_path / "v0-old").mkdir()
    (tmp_path / "v0-old" / "groggy_jit_kernel_abc.py").write_text("# old\n")
    info = subprocess.run([sys.executable, "-m", "groggy_jit", "cache", "info"], env=env,
                          capture_output=True, text=True, check=True).stdout
    assert "1 kernel(s)" in info and "groggy_jit_kernel_abc" in info
    cleared = subprocess.run([sys.executable, "-m", "groggy_jit", "cache", "clear"], env=env,
                             capture_output=True, text=True, check=True).stdout
    assert "removed 1" in cleared
    assert not any(tmp_path.iterdir())


def test_importing_the_package_does_not_import_numba():
    code = "import sys, groggy_jit; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
