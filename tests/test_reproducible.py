"""Every catalogue algorithm gives bit-identical results run after run and for any thread count.

Scalar reductions are summed over fixed chunks and combined in chunk order, so
neither a second run nor a different ``NUMBA_NUM_THREADS`` may change a single
bit.  The subprocesses share the test run's kernel cache directory
(``GROGGY_JIT_CACHE_DIR``), so they load the kernels this process compiled.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import groggy_jit as gj
from groggy_jit.algorithms import REGISTRY

SCALE = 10          # 1024 nodes, about 30k arcs: enough work for every thread


def kronecker_graph() -> gj.Graph:
    from groggy_jit.graph.generators import kronecker_edges
    src, dst, n = kronecker_edges(SCALE, seed=1)
    return gj.Graph.from_edges(src, dst, num_nodes=n, directed=False)


def params_for(algo) -> dict:
    """Defaults, and node 0 for a parameter without one (a source node; pairs default to
    every non-edge)."""
    return {name: 0 for name, p in algo.params.items() if p.default is None and not p.pairs}


def fingerprint(result) -> dict:
    """sha256 of each output's bytes (with dtype and shape), and the loop reports."""
    out = {}
    for name, value in sorted(result.values.items()):
        array = np.ascontiguousarray(np.asarray(value))
        digest = hashlib.sha256(array.tobytes()).hexdigest()
        out[name] = f"{array.dtype.str}{array.shape}:{digest}"
    out["<loops>"] = [[r.iterations, r.converged] for r in result.loops]
    return out


def fingerprints() -> dict:
    graph = kronecker_graph()
    arcs = gj.Graph.from_scipy(graph.to_scipy(copy=False), directed=True)
    return {name: fingerprint(algo.run(arcs if "directed" in algo.ir.requirements else graph,
                                       on_nonconvergence="ignore", **params_for(algo)))
            for name, algo in sorted(REGISTRY.items())}


_CHILD = textwrap.dedent("""
    import json, sys
    import numba
    sys.path.insert(0, {tests!r})
    from test_reproducible import fingerprints
    print(json.dumps({{"threads": numba.get_num_threads(), "runs": fingerprints()}}))
""")


@pytest.fixture(scope="module")
def in_process():
    """Two runs of every algorithm in this process (the second from the memory cache)."""
    return fingerprints(), fingerprints()


@pytest.fixture(scope="module")
def by_threads(in_process, cache_dir):
    """Fingerprints from fresh processes with 1 and 2 Numba threads."""
    out = {}
    for threads in (1, 2):
        env = dict(os.environ, NUMBA_NUM_THREADS=str(threads), GROGGY_JIT_CACHE_DIR=cache_dir)
        code = _CHILD.format(tests=os.path.dirname(__file__))
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=env, timeout=600)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout.strip().splitlines()[-1])
        assert report["threads"] == threads
        out[threads] = report["runs"]
    return out


def test_the_graph_is_big_enough_for_threads_to_matter():
    graph = kronecker_graph()
    assert graph.num_nodes == 2**SCALE and graph.num_edges > 10 * graph.num_nodes


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_two_runs_are_bit_identical(name, in_process):
    first, second = in_process
    assert first[name] == second[name]


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_one_and_two_threads_are_bit_identical(name, in_process, by_threads):
    first, _ = in_process
    assert by_threads[1][name] == by_threads[2][name], "1 thread vs 2 threads"
    assert by_threads[1][name] == first[name], "a fresh process vs this one"
