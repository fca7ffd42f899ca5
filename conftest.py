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


@pytest.fixture(scope="session")
def cache_dir() -> str:
    """The run's shared kernel cache directory."""
    return _RUN_CACHE
