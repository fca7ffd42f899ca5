"""Shared test set-up: one kernel cache directory for the whole run.

Every test process (and every subprocess a test starts) compiles into the same
fresh directory, so each kernel is compiled once per run and reused by all tests,
the doctests of the package and the README included (hence this file sits at the root).
"""

import os
import tempfile

import pytest

_RUN_CACHE = tempfile.mkdtemp(prefix="groggy-jit-test-cache-")
os.environ["GROGGY_JIT_CACHE_DIR"] = _RUN_CACHE
# Kernels compile in the foreground unless a test asks for a tier: the suite compiles
# dozens of kernels, and a background process per kernel would compete with the tests
# for the cores while interpreted answers skipped the kernels the tests are there to check.
os.environ.setdefault("GROGGY_JIT_TIER", "kernel")


@pytest.fixture(scope="session")
def cache_dir() -> str:
    """The run's shared kernel cache directory."""
    return _RUN_CACHE
