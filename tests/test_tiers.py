"""Tiers: the first call is answered by the interpreter while a background process compiles.

Every test forces its tier (the suite's default is ``kernel``, see the root conftest) and
uses an algorithm of its own structure on a private cache directory, so that no kernel
compiled elsewhere in the run is already loaded or cached.  No test asserts a time.
"""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import groggy_jit as gj
from groggy_jit.errors import ParameterError
from groggy_jit.runtime import tiers
from groggy_jit.runtime.cache import compiled_on_disk, kernel_dir, module_name

# A small convergence loop; TAG makes each test's kernel a structure of its own.
PROBE = """
import groggy_jit as gj

@gj.algorithm("tier_probe_TAG")
def probe(sG, max_iter=60, tol=1e-12):
    x = sG.nodes(1.0)
    with sG.until_converged(x, tol=tol, max_iter=max_iter):
        x = sG.builder.var("x", (sG @ x) * 0.125 + TAG.5)
    return x
"""

# A new process: the probe (its code in argv[1]) on the small graph.
IN_A_NEW_PROCESS = """
import json, sys
import groggy_jit as gj
from groggy_jit.runtime import tiers
namespace = {}
exec(sys.argv[1], namespace)
probe = namespace["probe"]
G = gj.Graph.from_edges([0, 1, 2, 3, 0], [1, 2, 3, 0, 2], num_nodes=5, directed=False)
"""

# The probe through the kernel tier, with its compile counters.
NEW_PROCESS = IN_A_NEW_PROCESS + """
result = probe.run(G, tier="kernel")
print(json.dumps({"value": result.value.tolist(), "tier": result.tier,
                  "compiles": probe.stats.compiles, "disk_hits": probe.stats.disk_hits}))
"""


def small_graph():
    return gj.Graph.from_edges([0, 1, 2, 3, 0], [1, 2, 3, 0, 2], num_nodes=5, directed=False)


def make_probe(tag: int):
    code = PROBE.replace("TAG", str(tag))
    namespace = {}
    exec(code, namespace)
    return namespace["probe"], code


def in_new_process(code: str) -> dict:
    env = dict(os.environ, GROGGY_JIT_TIER="kernel")
    out = subprocess.run([sys.executable, "-c", NEW_PROCESS, code], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GROGGY_JIT_CACHE_DIR", str(tmp_path))
    yield tmp_path
    tiers.wait_all(timeout=300)          # no compile outlives its test


def test_tier_names_are_checked(monkeypatch):
    probe, _ = make_probe(1)
    with pytest.raises(ParameterError, match="'fast' is not a tier"):
        probe.run(small_graph(), tier="fast")
    monkeypatch.setenv("GROGGY_JIT_TIER", "jit")
    with pytest.raises(ParameterError, match="GROGGY_JIT_TIER='jit'"):
        tiers.requested_tier()
    monkeypatch.setenv("GROGGY_JIT_TIER", "interpret")
    assert tiers.requested_tier() == "interpret"
    assert tiers.requested_tier("kernel") == "kernel"


def test_forced_interpreter_starts_no_compile(private_cache):
    probe, _ = make_probe(2)
    G = small_graph()
    result = probe.run(G, tier="interpret")
    source = probe.source_for(str(G.index_dtype)).text
    assert result.tier == "interpret"
    assert tiers.background_job(source) is None
    assert probe.stats.compiles == 0
    np.testing.assert_array_equal(result.value, probe.interpret(G).value)
    assert probe(tier="interpret").run(G).tier == "interpret"     # configured, too


@pytest.fixture(scope="module")
def first_call(tmp_path_factory):
    """One probe's first call in auto mode on an empty private cache, and its compile."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GROGGY_JIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        probe, code = make_probe(3)
        G = small_graph()
        first = probe.run(G, tier="auto")
        source = probe.source_for(str(G.index_dtype)).text
        job = tiers.background_job(source)
        landed = job is not None and job.wait(timeout=300)
        yield probe, code, G, first, source, landed


def test_first_call_interprets_while_compiling_then_kernel_on_disk(first_call):
    probe, code, G, first, source, landed = first_call
    assert first.tier == "interpret"
    assert probe.stats.compiles == 0                 # this process compiled nothing
    assert landed and compiled_on_disk(source)

    later = probe.run(G, tier="auto")                # the kernel exists now: it answers
    assert later.tier == "kernel"
    assert (probe.stats.compiles, probe.stats.disk_hits) == (0, 1)
    np.testing.assert_allclose(later.value, first.value, rtol=1e-12)
    assert later.iterations == first.iterations

    fresh = in_new_process(code)                     # a new process finds it on disk too
    assert (fresh["compiles"], fresh["disk_hits"]) == (0, 1)
    np.testing.assert_allclose(fresh["value"], first.value, rtol=1e-12)


def test_interpreted_loop_switches_to_the_kernel_once_it_lands(first_call, monkeypatch):
    probe, _, G, first, source, landed = first_call
    assert landed
    # The kernel has landed; pretend this call started before it did.
    monkeypatch.setattr(probe, "_kernels", {})
    monkeypatch.setattr(tiers, "kernel_ready", lambda text: False)
    rounds = []
    check = tiers.switch_check(source)
    monkeypatch.setattr(tiers, "switch_check", lambda text: lambda: (rounds.append(1), check()))
    result = probe.run(G, tier="auto")
    assert result.tier == "kernel" and rounds == [1]     # one interpreted round, then switched
    assert probe.run(G, tier="interpret").tier == "interpret"      # forced: never switches
    np.testing.assert_allclose(result.value, first.value, rtol=1e-12)


# A plain script that exits right after its first call, leaving its compile running.
EXITING_SCRIPT = IN_A_NEW_PROCESS + """
result = probe.run(G, tier="auto")
job = tiers.background_job(probe.source_for(str(G.index_dtype)).text)
print(json.dumps({"value": result.value.tolist(), "tier": result.tier, "pid": job.pid}))
"""


def test_killed_background_compile_leaves_a_sound_cache(private_cache):
    from filelock import FileLock
    probe, code = make_probe(5)
    G = small_graph()
    source = probe.source_for(str(G.index_dtype)).text
    out = subprocess.run([sys.executable, "-c", EXITING_SCRIPT, code], capture_output=True,
                         text=True, timeout=300, env=dict(os.environ, GROGGY_JIT_TIER="auto"))
    assert out.returncode == 0, out.stderr
    first = json.loads(out.stdout.strip().splitlines()[-1])
    assert first["tier"] == "interpret"                # the script has exited by now

    module = kernel_dir() / f"{module_name(source)}.py"
    deadline = time.monotonic() + 120
    while not module.exists() and time.monotonic() < deadline:
        time.sleep(0.02)                             # the orphan holds the lock, compiling
    assert module.exists() and not compiled_on_disk(source), "the compile ended too soon"
    os.kill(first["pid"], signal.SIGKILL)
    with FileLock(str(module.with_suffix(".lock")), timeout=60):
        pass                                         # released: the child is gone

    fresh = in_new_process(code)                     # a new process: correct, and it caches
    assert fresh["compiles"] + fresh["disk_hits"] == 1
    np.testing.assert_allclose(fresh["value"], first["value"], rtol=1e-12)
    assert compiled_on_disk(source)
    again = probe.run(G, tier="auto")
    assert again.tier == "kernel" and probe.stats.disk_hits == 1
    np.testing.assert_allclose(again.value, first["value"], rtol=1e-12)


def test_cost_model_interprets_small_runs_and_waits_for_long_ones():
    from groggy_jit.graph.generators import kronecker_edges
    src, dst, n = kronecker_edges(12)                 # 4k nodes, 97k arcs: estimates only
    G = gj.Graph.from_edges(src, dst, num_nodes=n, directed=False)

    def costs(algo):
        return algo._tier_costs(G, algo.source_for(str(G.index_dtype)).text)
    interpret, kernel = costs(gj.pagerank)
    assert 0 < interpret < kernel
    interpret, kernel = costs(gj.closeness_centrality)   # a traversal from every node
    assert interpret > kernel > 0
