"""Shared test set-up: one kernel cache directory for the whole run.

Every test process (each parallel worker of ``pytest -n 2``, and every subprocess a test
starts) compiles into the same fresh directory, so each kernel is compiled once per run
and reused by all tests, the doctests of the package and the README included (hence this
file sits at the root).
"""

import os
import tempfile

import pytest

# Parallel workers (pytest -n) inherit the variable from the process that started them,
# so they share the directory, and a kernel one of them compiled is loaded by the others.
_RUN_CACHE = os.environ.get("GROGGY_JIT_TEST_RUN_CACHE") or \
    tempfile.mkdtemp(prefix="groggy-jit-test-cache-")
os.environ["GROGGY_JIT_TEST_RUN_CACHE"] = _RUN_CACHE
os.environ["GROGGY_JIT_CACHE_DIR"] = _RUN_CACHE
# Kernels compile in the foreground unless a test asks for a tier: the suite compiles
# dozens of kernels, and a background process per kernel would compete with the tests
# for the cores while interpreted answers skipped the kernels the tests are there to check.
os.environ.setdefault("GROGGY_JIT_TIER", "kernel")


@pytest.fixture(scope="session")
def cache_dir() -> str:
    """The run's shared kernel cache directory."""
    return _RUN_CACHE
