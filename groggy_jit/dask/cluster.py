"""A Dask cluster on this machine that is safe for groggy-jit's kernels.

Worker processes are started by spawn, never fork: the kernels' OpenMP runtime is
not fork-safe.  Each worker runs one task at a time on one Numba thread pool sized
to its share of the cores, so workers do not fight over them.  Every worker uses
the same kernel cache directory, so a kernel is compiled once per machine.
"""

from __future__ import annotations

import os

from ..errors import MissingDependencyError, ParameterError
from ..runtime.cache import ENV_DIR, cache_root


def require_dask():
    """``dask.distributed``, or an error saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError("groggy_jit.dask needs dask.distributed: "
                                     "pip install 'groggy-jit[dask]'") from None
    return distributed


def worker_environment(numba_threads: int, cache_dir=None) -> dict[str, str]:
    """Environment of a worker process: its thread pool size, the shared cache, and idle
    kernel threads that sleep instead of spinning (as ``prepare_threads`` sets locally)."""
    return {"NUMBA_NUM_THREADS": str(numba_threads),
            "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "passive"),
            ENV_DIR: os.fspath(cache_dir if cache_dir is not None else cache_root())}


def local_client(n_workers: int | None = None, *, numba_threads: int | None = None,
                 cache_dir=None, dashboard: bool = True, **cluster_options):
    """A ``distributed.Client`` on a new ``LocalCluster`` of spawned worker processes.

    Parameters
    ----------
    n_workers : int, optional
        Worker processes (default: 2 on machines with 2+ cores, else 1).
    numba_threads : int, optional
        Threads of each worker's kernel thread pool (default: its share of the cores).
    cache_dir : path, optional
        The kernel cache every worker shares (default: this process's cache).
    dashboard : bool
        Serve Dask's dashboard (``client.dashboard_link``; it needs ``bokeh``).
    cluster_options
        Passed on to ``distributed.LocalCluster``.
    """
    distributed = require_dask()
    import dask
    cores = os.cpu_count() or 1
    n_workers = min(2, cores) if n_workers is None else n_workers
    if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
        raise ParameterError(f"n_workers={n_workers!r}: pass a whole number >= 1")
    threads = numba_threads or max(1, cores // n_workers)
    cluster_options.setdefault("dashboard_address", ":0" if dashboard else None)
    with dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}):
        cluster = distributed.LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True,
            env=worker_environment(threads, cache_dir), **cluster_options)
    return distributed.Client(cluster)
