"""The README's first command: ``python -m groggy_jit demo`` runs and reports every algorithm."""

import re
import subprocess
import sys

from groggy_jit.cli.demo import DEMO_ALGORITHMS


def run_module(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "groggy_jit", *args], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_demo_prints_a_timed_row_with_a_result_for_every_algorithm():
    out = run_module("demo", "--scale", "8", "--repeat", "2")
    assert "scale 8: 256 nodes" in out
    for name in DEMO_ALGORITHMS:
        row = re.search(rf"^{name}\s+([\d.]+) s\s+(compile|disk)\s+([\d.]+) s\s+([\d.]+) ms\s+(.+)$",
                        out, re.MULTILINE)
        assert row, f"no timed row for {name}:\n{out}"
        assert row.group(5).strip(), f"{name}: empty result summary"


def test_cache_info_lists_the_kernels_the_demo_left():
    run_module("demo", "--scale", "6", "--repeat", "1")
    out = run_module("cache", "info")
    count = int(re.search(r"^(\d+) kernel\(s\)", out, re.MULTILINE).group(1))
    assert count >= len(DEMO_ALGORITHMS)
    assert out.count("compiled") >= len(DEMO_ALGORITHMS)
