"""What the hand-written kernels share: compile flags, the small-graph rule, input checks.

Only plain Python and constants read at import time live here: Numba's cache
does not notice when a function or constant a cached kernel reads from another
file changes, so compiled helpers stay beside the kernels that call them.
"""

from __future__ import annotations

import numba
import numpy as np

# Graphs with fewer nodes + arcs than this run on one thread: waking the
# other threads costs more than the work (on a busy machine, milliseconds).
SMALL_GRAPH = 32_768

JIT = dict(parallel=True, cache=True, nogil=True, fastmath=False, error_model="numpy")
SERIAL = dict(cache=True, nogil=True, error_model="numpy")


def check_csr(indptr, indices, which=""):
    """Cheap shape and dtype checks; returns the arrays (C-contiguous)."""
    indptr = np.ascontiguousarray(indptr)
    indices = np.ascontiguousarray(indices)
    name = f"{which} " if which else ""
    if indptr.ndim != 1 or indices.ndim != 1 or indptr.shape[0] < 1:
        raise ValueError(f"{name}indptr and indices must be 1-d arrays, indptr of length n + 1 >= 1")
    if indptr.dtype.kind not in "iu" or indices.dtype.kind not in "iu":
        raise ValueError(f"{name}index arrays must be integer, got {indptr.dtype} and {indices.dtype}")
    if int(indptr[-1]) > indices.shape[0]:
        raise ValueError(f"{name}indptr[-1] = {int(indptr[-1])} exceeds len(indices) = {indices.shape[0]}")
    return indptr, indices


def call(one_thread, kernel, *args):
    """``kernel(*args)``, on one thread when ``one_thread`` (a graph below ``SMALL_GRAPH``
    nodes + arcs, as the caller's module sets it); the thread count is restored afterwards."""
    threads = numba.get_num_threads()
    if not one_thread or threads == 1:
        return kernel(*args)
    numba.set_num_threads(1)
    try:
        return kernel(*args)
    finally:
        numba.set_num_threads(threads)
