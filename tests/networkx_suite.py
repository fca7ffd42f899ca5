"""Run networkx's own tests with groggy_jit as the backend, in a subprocess.

``python tests/networkx_suite.py`` prints the figures of both runs: with
fallback to networkx (what the test suite checks) and without (how many tests
run entirely on groggy-jit).
"""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys
import tempfile
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# networkx's test modules for every function the backend dispatches
MODULES = [
    "networkx.algorithms.link_analysis",
    "networkx.algorithms.components",
    "networkx.algorithms.shortest_paths.tests.test_unweighted",
    "networkx.algorithms.shortest_paths.tests.test_weighted",
    "networkx.algorithms.shortest_paths.tests.test_generic",
    "networkx.algorithms.traversal.tests.test_bfs",
    "networkx.algorithms.tests.test_cluster",
    "networkx.algorithms.tests.test_core",
    "networkx.algorithms.centrality.tests.test_katz_centrality",
    "networkx.algorithms.centrality.tests.test_eigenvector_centrality",
    "networkx.algorithms.centrality.tests.test_betweenness_centrality",
    "networkx.algorithms.centrality.tests.test_closeness_centrality",
    "networkx.algorithms.centrality.tests.test_degree_centrality",
    "networkx.algorithms.community.tests.test_label_propagation",
    "networkx.algorithms.tests.test_link_prediction",
]

_ENTRY_POINTS = """[networkx.backends]
groggy_jit = groggy_jit.backend.interface

[networkx.backend_info]
groggy_jit = groggy_jit.backend.info:get_info
"""


def _entry_point_path(directory: str) -> list[str]:
    """Where the subprocess finds the backend's entry points.

    An installed groggy-jit declares them itself; a source checkout gets a
    minimal distribution record declaring the same entry points as pyproject.toml.
    """
    if entry_points(group="networkx.backends", name="groggy_jit"):
        return []
    info = Path(directory) / "groggy_jit_backend-0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: groggy-jit-backend\n"
                                   "Version: 0.0\n")
    (info / "entry_points.txt").write_text(_ENTRY_POINTS)
    return [directory]


def environment(directory: str, **extra) -> dict:
    """An environment whose Python sees groggy_jit (this checkout) as a networkx backend."""
    env = dict(os.environ)
    paths = [str(ROOT), *_entry_point_path(directory)]
    env["PYTHONPATH"] = os.pathsep.join(paths + [env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


def run(fallback: bool, timeout: float = 900) -> dict:
    """Run the modules; the outcome counts and the calls dispatched into groggy-jit."""
    with tempfile.TemporaryDirectory(prefix="groggy-jit-nx-") as tmp:
        log = os.path.join(tmp, "dispatched")
        extra = {"NETWORKX_TEST_BACKEND": "groggy_jit", "GROGGY_JIT_DISPATCH_LOG": log}
        env = environment(tmp, **extra)
        # networkx reads any non-empty value, even "False", as "fall back"
        env.pop("NETWORKX_FALLBACK_TO_NX", None)
        if fallback:
            env["NETWORKX_FALLBACK_TO_NX"] = "1"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE",
                   "-o", "addopts=", "--rootdir", tmp, "--pyargs", *MODULES]
        done = subprocess.run(command, cwd=tmp, env=env, capture_output=True, text=True,
                              timeout=timeout)
        dispatched: dict[str, int] = {}
        for path in glob.glob(f"{log}.*"):
            for name, count in json.loads(Path(path).read_text()).items():
                dispatched[name] = dispatched.get(name, 0) + count
    lines = done.stdout.strip().splitlines()
    summary = lines[-1] if lines else ""
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|xfailed|xpassed|"
                                                      r"skipped|errors?)", summary)}
    failures = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
    return {"counts": counts, "dispatched": dispatched, "failures": failures,
            "summary": summary, "returncode": done.returncode,
            "output": done.stdout[-4000:] + done.stderr[-2000:]}


if __name__ == "__main__":
    for fallback in (True, False):
        outcome = run(fallback)
        print(f"fallback {'on' if fallback else 'off'}: {outcome['summary']}; "
              f"{sum(outcome['dispatched'].values())} calls dispatched to groggy_jit")
        for line in outcome["failures"]:
            print("   ", line)
