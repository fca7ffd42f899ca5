"""One algorithm over many graphs (``map``) or over a grid of parameters (``sweep``).

Both compile once per kernel structure: parameters are kernel arguments, and every
graph with the same index dtype reuses the same kernel.  Both stream: with
``stream=True`` they yield one result at a time, so a long job never holds every
result in memory.
"""

from __future__ import annotations

import itertools
import os
import sys
import warnings
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Iterator

from .errors import GroggyJITError, ParameterError, PipelineError

__all__ = ["Failure", "Results", "map_graphs", "sweep_grid", "progress_bar"]

ON_ERROR = ("raise", "skip")


@dataclass(frozen=True)
class Failure:
    """An input of a ``map`` that could not be run, kept in its place among the results."""
    index: int
    source: str          # the path, or a short description of the object
    error: Exception

    @property
    def message(self) -> str:
        """The error, with the input's name in front unless it names it already."""
        text = str(self.error)
        return text if text.startswith(self.source) else f"{self.source}: {text}"

    def __str__(self) -> str:
        return f"input {self.index}: {self.message}"


class Results(list):
    """The results of a ``map``, in input order; a failed input holds its :class:`Failure`."""

    @property
    def failures(self) -> list[Failure]:
        return [r for r in self if isinstance(r, Failure)]


def describe(graph) -> str:
    """How an input is named in progress and error messages: its path, or its type."""
    if isinstance(graph, (str, os.PathLike)):
        return os.fspath(graph)
    kind = type(graph)
    return f"{kind.__module__.split('.')[0]}.{kind.__qualname__}"


def progress_bar(total: int | None, desc: str, enabled: bool | None):
    """A tqdm bar on stderr, or None: off when stderr is not a terminal, unless forced."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        warnings.warn("progress bars need tqdm: pip install 'groggy-jit[progress]'",
                      RuntimeWarning, stacklevel=3)
        return None
    return tqdm(total=total, desc=desc, unit="graph", file=sys.stderr, dynamic_ncols=True)


class Progress:
    """A progress bar opened when the first item is done, so that a compile notice
    printed before it keeps a line of its own."""

    def __init__(self, total: int | None, desc: str, enabled: bool | None):
        self.total, self.desc, self.enabled = total, desc, enabled
        self.bar = None
        self.opened = False

    def update(self) -> None:
        if not self.opened:
            self.opened = True
            self.bar = progress_bar(self.total, self.desc, self.enabled)
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _check_on_error(on_error: str) -> None:
    if on_error not in ON_ERROR:
        raise ParameterError(f"on_error={on_error!r}: use 'raise' (stop at the first bad "
                             "input) or 'skip' (record it and go on)")


def _check_threads(threads) -> int:
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ParameterError(f"threads={threads!r}: pass a whole number >= 1")
    return threads


def map_graphs(algo, graphs: Iterable, params: dict, *, threads: int = 1,
               on_error: str = "raise", progress: bool | None = None, stream: bool = False,
               read_options: dict | None = None):
    """Run ``algo`` on every graph of ``graphs`` with the same ``params``.

    Returns a :class:`Results` list in input order, or with ``stream=True`` an
    iterator over the same items.  Paths are read with
    :func:`~groggy_jit.graph.read_graph` (``read_options`` are its keywords).

    The first graph runs alone (it traces and compiles); with ``threads > 1`` the
    rest run on a thread pool, each kernel on its share of Numba's threads.  That
    pays for small graphs, whose parallel loops cannot keep every core busy, and
    not for large ones (one kernel already uses every core) or for kernels of a
    few microseconds (handing a graph to the pool costs more).
    """
    _check_on_error(on_error)
    threads = _check_threads(threads)
    algo(**params)              # a misspelt or mistyped parameter fails once, not per graph
    items = _map_items(algo, graphs, params, threads, on_error, progress, read_options or {})
    if stream:
        return items
    done = Results()
    try:
        done.extend(items)
    except PipelineError as error:
        error.results = done                  # nothing computed before the failure is lost
        raise
    return done


def _map_items(algo, graphs, params, threads, on_error, progress, read_options) -> Iterator:
    total = len(graphs) if hasattr(graphs, "__len__") else None
    bar = Progress(total, algo.name, progress)
    inputs = enumerate(graphs)

    def one(index, given):
        try:
            graph = given
            if isinstance(given, (str, os.PathLike)):
                from .graph import read_graph
                graph = read_graph(given, **read_options)
            return algo.run(graph, **params)
        except (GroggyJITError, OSError) as error:        # this input's fault: report it
            return Failure(index, describe(given), error)

    def deliver(item):
        bar.update()
        if isinstance(item, Failure) and on_error == "raise":
            raise PipelineError(str(item), item) from item.error
        return item

    try:
        first = next(inputs, None)
        if first is None:
            return
        # The first graph runs alone: it traces and compiles while no other thread waits.
        yield deliver(one(*first))
        if threads == 1 or not _threads_are_safe():
            for index, graph in inputs:
                yield deliver(one(index, graph))
            return
        with ThreadPoolExecutor(threads, thread_name_prefix="groggy-jit-map",
                                initializer=_share_kernel_threads, initargs=(threads,)) as pool:
            pending = deque()
            for index, graph in inputs:            # a bounded window keeps memory flat
                pending.append(pool.submit(one, index, graph))
                if len(pending) >= 2 * threads:
                    yield deliver(pending.popleft().result())
            while pending:
                yield deliver(pending.popleft().result())
    finally:
        bar.close()


def _share_kernel_threads(workers: int) -> None:
    """Each map thread's kernels use their share of Numba's threads (a per-thread setting),
    so graphs run side by side instead of each waking every core."""
    import numba
    numba.set_num_threads(max(1, numba.config.NUMBA_NUM_THREADS // workers))


def _threads_are_safe() -> bool:
    """Numba's fallback 'workqueue' layer aborts the process on concurrent kernel calls."""
    import numba
    try:
        layer = numba.threading_layer()
    except ValueError:                          # no parallel kernel has run yet
        return False
    if layer == "workqueue":
        warnings.warn("threads > 1 needs Numba's omp or tbb threading layer (pip install tbb); "
                      "running one graph at a time", RuntimeWarning, stacklevel=4)
        return False
    return True


def settings(grid, axes: dict) -> list[dict]:
    """Parameter settings from ``grid`` (a dict of lists, or a list of dicts) and axes."""
    if grid is not None and axes:
        raise ParameterError("pass the sweep either as grid=... or as keyword lists, not both")
    grid = axes if grid is None else grid
    if isinstance(grid, dict):
        for name, values in grid.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
                raise ParameterError(f"sweep axis {name}={values!r} must be a list of values, "
                                     f"e.g. {name}=[{values!r}]")
        names = list(grid)
        return [dict(zip(names, combo)) for combo in itertools.product(*grid.values())]
    if isinstance(grid, (list, tuple)) and all(isinstance(s, dict) for s in grid):
        return [dict(s) for s in grid]
    raise ParameterError(f"grid must be a dict of lists or a list of dicts, got "
                         f"{type(grid).__name__}")


def sweep_grid(algo, G, grid, axes: dict, *, progress: bool | None = None,
               stream: bool = False):
    """Run ``algo`` on ``G`` once per parameter setting.

    Returns a tidy table (see :func:`sweep_table`), or with ``stream=True`` an
    iterator of ``(setting, Result)`` pairs.
    """
    from .graph import read_graph
    runs = settings(grid, axes)
    graph = read_graph(G) if isinstance(G, (str, os.PathLike)) else algo.graph_of(G)
    for setting in runs:                    # every setting is checked before any runs
        algo(**setting)
    pairs = _sweep_items(algo, graph, runs, progress)
    return pairs if stream else sweep_table(pairs)


def _sweep_items(algo, graph, runs, progress) -> Iterator[tuple[dict, object]]:
    bar = Progress(len(runs), f"{algo.name} sweep", progress)
    try:
        for setting in runs:
            result = algo.run(graph, **setting)
            bar.update()
            yield setting, result
    finally:
        bar.close()


def sweep_table(pairs):
    """One row per setting and node: the parameters, node, outputs, iterations, converged.

    A pandas DataFrame when pandas is installed, else a list of dicts.
    """
    records = []
    for setting, result in pairs:
        for row in result.records():
            records.append(setting | row)
    try:
        import pandas as pd
    except ImportError:
        return records
    return pd.DataFrame.from_records(records)
