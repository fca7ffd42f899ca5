"""Calling a compiled kernel safely: the thread layer, fork, and Ctrl-C.

- Numba's TBB layer is used where the ``tbb`` package is installed (unless the
  user chose a layer with ``NUMBA_THREADING_LAYER``): it survives ``fork``.
  GNU OpenMP, the fallback, kills a forked child that starts a parallel region
  once the parent has used it, and a ``multiprocessing.Pool`` then waits forever
  for that child. So a child forked after an OpenMP kernel ran refuses to run a
  kernel, with an error saying what to do, instead of dying.
- Ctrl-C: Python cannot run a signal handler while native code runs, so a kernel
  with loops runs in a helper thread while the main thread waits; on Ctrl-C it
  sets the kernel's ``interrupt`` flag, every loop stops at the end of its
  current round, and ``KeyboardInterrupt`` is raised. A kernel without loops, or
  one called off the main thread, runs directly: Ctrl-C then takes effect when it
  returns, still as ``KeyboardInterrupt`` (Numba reports it as a ``SystemError``).
"""

from __future__ import annotations

import ctypes
import os
import queue
import sys
import threading

from ..errors import ThreadingError

_state = {"prepared": False, "parallel_ran": False, "forked_after_omp": False}


def prepare_threads() -> None:
    """Choose the thread layer and its wait policy; must run before the first parallel kernel.

    OpenMP's default busy-wait makes a parallel kernel several times slower as soon
    as another process wants a core (measured: 57 ms passive vs 300+ ms spinning for
    PageRank on a 2-core machine with one busy neighbour).
    """
    if _state["prepared"]:
        return
    _state["prepared"] = True
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    import numba
    tbb = _tbb_available()                  # also when the user asked for it by name
    if "NUMBA_THREADING_LAYER" not in os.environ and numba.config.THREADING_LAYER == "default" \
            and tbb:
        numba.config.THREADING_LAYER = "tbb"
    if hasattr(os, "register_at_fork"):     # POSIX only; elsewhere there is no fork
        os.register_at_fork(after_in_child=_after_fork_in_child)


def _tbb_available() -> bool:
    """Whether Numba's TBB layer loads; a pip-installed libtbb sits in ``<prefix>/lib``,
    which the loader does not search, so it is loaded from there first."""
    library = os.path.join(sys.prefix, "lib", "libtbb.so.12")
    if os.path.exists(library):
        try:
            ctypes.CDLL(library, mode=ctypes.RTLD_GLOBAL)
        except OSError:
            pass
    try:
        from numba.np.ufunc import tbbpool  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def threading_layer() -> str | None:
    """The layer kernels run on ("tbb", "omp", "workqueue"), or None before the first kernel."""
    if not _state["parallel_ran"]:
        return None
    import numba
    return numba.threading_layer()


def _after_fork_in_child() -> None:
    _worker.clear()                         # the helper thread did not survive the fork
    if threading_layer() == "omp":
        _state["forked_after_omp"] = True


def call_kernel(kernel, args: tuple, interrupt=None):
    """``kernel(*args)``, refusing where it would crash and turning Ctrl-C into KeyboardInterrupt.

    ``interrupt`` is the flag array among ``args``; given, Ctrl-C stops the loops early.
    """
    if _state["forked_after_omp"]:
        raise ThreadingError(
            "this process was forked from one that had already run groggy-jit kernels on GNU "
            "OpenMP, which kills a forked child that runs one more. Start worker processes with "
            "multiprocessing.get_context('spawn') (or 'forkserver'), run a first kernel only in "
            "the workers, or install the 'tbb' package so kernels use Numba's fork-safe TBB layer")
    try:
        if interrupt is not None and threading.current_thread() is threading.main_thread():
            out = _interruptible(kernel, args, interrupt)
        else:
            out = kernel(*args)
    except SystemError as e:
        if _interrupted(e):
            raise KeyboardInterrupt("interrupted while a kernel ran; it stopped at its end "
                                    "and its result was discarded") from None
        raise
    finally:
        _state["parallel_ran"] = True
    return out


class _KernelThread:
    """One long-lived helper thread that runs kernels for the main thread.

    Kernels release the GIL, so the main thread waits on an event, where Ctrl-C
    reaches it. One thread, reused, costs a hand-over per call (a fresh thread
    would also make GNU OpenMP build a new thread team every call).
    """

    def __init__(self):
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._serve, name="groggy-jit kernels",
                                       daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            kernel, args, box, done = self.jobs.get()
            try:
                box["out"] = kernel(*args)
            except BaseException as e:      # handed to the caller
                box["error"] = e
            done.set()

    def run(self, kernel, args: tuple, interrupt):
        box, done = {}, threading.Event()
        self.jobs.put((kernel, args, box, done))
        try:
            done.wait()
        except KeyboardInterrupt:
            interrupt[0] = 1                # every loop stops at the end of its round
            done.wait()
            raise KeyboardInterrupt("interrupted: the kernel stopped at the end of its "
                                    "current round and its result was discarded") from None
        if "error" in box:
            raise box["error"]
        return box["out"]


_worker: list[_KernelThread] = []


def _interruptible(kernel, args: tuple, interrupt):
    if not _worker:
        _worker.append(_KernelThread())
    return _worker[0].run(kernel, args, interrupt)


def _interrupted(error: BaseException) -> bool:
    seen = []
    while error is not None and error not in seen:
        if isinstance(error, KeyboardInterrupt):
            return True
        seen.append(error)
        error = error.__cause__ or error.__context__
    return False
