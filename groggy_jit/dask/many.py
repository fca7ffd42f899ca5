"""One compiled algorithm over many graphs on a Dask cluster.

The algorithm travels as its kernels' source text (a ``KernelJob``), sent to each
worker once; workers never trace.  Before the map, one warm-up task per worker loads
the kernel: on workers that share the disk cache the file lock lets one compile and
the others load its machine code, so each machine compiles each kernel once.  A graph
travels as its CSR arrays (a ``Graph``), or as a path the worker reads itself.
Inputs go in chunks, a few per worker, one task each: a task costs the scheduler a
round trip, far more than a small graph's run.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from itertools import accumulate

from ..driver import ConfiguredAlgorithm
from ..errors import ConvergenceError, GroggyJITError, PipelineError
from ..graph import as_graph, read_graph
from ..pipeline import Failure, Progress, Results, _check_on_error, describe
from ..runtime.conditions import RUN_POLICY, report_nonconvergence
from .cluster import local_client, require_dask

__all__ = ["GraphMap", "map_graphs"]

FAILED = "failed"        # the origin reported for an input that could not be run
CHUNKS_PER_WORKER = 4    # enough to even out uneven graphs, few enough to cost nothing


def run_one(job, index: int, given, params: dict, read_options: dict):
    """On a worker: one input's Result (or Failure) and where its kernel came from."""
    is_path = isinstance(given, (str, os.PathLike))
    try:
        graph = read_graph(given, **read_options) if is_path else given
        result, origin = job.run(graph, params)
    except (GroggyJITError, OSError) as error:           # this input's fault: report it
        return Failure(index, describe(given), error), FAILED
    if not is_path:
        result.graph = None           # the client holds the graph: send only the values back
    return result, origin


def run_chunk(job, start: int, chunk: list, params: dict, read_options: dict) -> list:
    """On a worker: ``run_one`` for each input of a chunk (the first is input ``start``)."""
    return [run_one(job, start + k, given, params, read_options)
            for k, given in enumerate(chunk)]


def chunks(items: list, workers: int) -> list[list]:
    """``items`` cut into about ``CHUNKS_PER_WORKER`` consecutive runs per worker."""
    size = max(1, -(-len(items) // (CHUNKS_PER_WORKER * max(workers, 1))))
    return [items[k:k + size] for k in range(0, len(items), size)]


def warm(job, index_dtype: str) -> str:
    """On a worker: load (or compile) the kernel before any graph arrives."""
    return job.load(index_dtype)[1]


class GraphMap:
    """A running ``map_graphs``: its futures, and ``compute()`` for the results in order.

    Attributes
    ----------
    futures : list of distributed.Future
        One per chunk of consecutive inputs, in input order; each resolves to a list of
        ``(Result or Failure, origin)``, one per input of its chunk.
    origins : collections.Counter
        Where the workers' kernels came from, counted over warm-ups and inputs:
        ``compile`` (Numba compiled it), ``disk`` (machine code another process
        cached), ``memory`` (already loaded in that worker).
    dashboard_link : str or None
        The Dask dashboard that shows the tasks' progress.
    """

    def __init__(self, client, futures, inputs, graphs, warmed, options, name, owns_client):
        self.client, self.futures = client, futures
        self.origins = Counter(warmed)
        self.dashboard_link = getattr(client, "dashboard_link", None)
        self._inputs, self._graphs = inputs, graphs
        self._on_error, self._progress, self._policy = options
        self._name, self._owns_client = name, owns_client
        self._results = None

    def __len__(self) -> int:
        return len(self._inputs)

    def compute(self) -> Results:
        """The results in input order (a failed input holds its Failure with
        ``on_error="skip"``; with ``"raise"`` the first failure raises PipelineError)."""
        if self._results is None:
            try:
                self._results = self._collect()
            finally:
                self.close()
        return self._results

    def _collect(self) -> Results:
        from distributed import as_completed
        bar = Progress(len(self._inputs), self._name, self._progress)
        arrived = {}
        try:
            for future, chunk in as_completed(self.futures, with_results=True):
                arrived[future.key] = chunk
                for _ in chunk:
                    bar.update()
        finally:
            bar.close()
        done = Results()
        gathered = [one for future in self.futures for one in arrived[future.key]]
        for index, (graph, (item, origin)) in enumerate(zip(self._graphs, gathered)):
            self.origins[origin] += 1
            if not isinstance(item, Failure):
                try:
                    item = report_nonconvergence(item, self._policy, self._name)
                except ConvergenceError as error:
                    item = Failure(index, describe(self._inputs[index]), error)
            if isinstance(item, Failure) and self._on_error == "raise":
                error = PipelineError(str(item), item)
                error.results = done
                raise error from item.error
            if graph is not None and not isinstance(item, Failure):
                item.graph = graph
            done.append(item)
        return done

    def close(self) -> None:
        """Shut down the cluster ``map_graphs`` started (a given client is left running)."""
        if self._owns_client:
            cluster = self.client.cluster
            self.client.close()
            cluster.close()
            self._owns_client = False


def map_graphs(algo, graphs_or_paths, client=None, *, on_error: str = "raise",
               progress: bool | None = None, read_options: dict | None = None,
               **params) -> GraphMap:
    """Run one compiled algorithm over many graphs on a Dask cluster.

    Parameters
    ----------
    algo : Algorithm or configured algorithm
        E.g. ``gj.pagerank`` or ``gj.pagerank(damping=0.9)``.
    graphs_or_paths : iterable
        Graphs (anything ``as_graph`` takes; sent as their CSR arrays) or file paths
        (read on the worker with ``read_graph(path, **read_options)``; the worker's
        Result then carries its graph back).
    client : distributed.Client, optional
        The cluster to use; without one a ``local_client()`` is started and shut down
        when the results are computed.
    on_error : "raise" or "skip"
        Stop at the first bad input, or keep its Failure in its place.
    progress : bool, optional
        A progress bar (default: when stderr is a terminal).
    params
        The algorithm's parameters, the same for every graph, and
        ``on_nonconvergence`` as for ``Algorithm.run`` (applied as results arrive).

    Returns
    -------
    GraphMap
        Its ``futures`` (one per chunk of inputs), and ``compute()``: the results in order.
    """
    require_dask()
    _check_on_error(on_error)
    if isinstance(algo, ConfiguredAlgorithm):
        algo, params = algo.algorithm, algo.params | params
    algo(**params)              # a misspelt or mistyped parameter fails here, once
    policy = params.pop("on_nonconvergence", RUN_POLICY)
    inputs = list(graphs_or_paths)
    graphs = [None if isinstance(g, (str, os.PathLike)) else as_graph(g) for g in inputs]
    dtypes = sorted({str(g.index_dtype) for g in graphs if g is not None}) or ["int32"]
    owns_client = client is None
    if owns_client:
        client = local_client()
        if progress or (progress is None and sys.stderr.isatty()):
            print(f"groggy-jit: Dask dashboard at {client.dashboard_link}", file=sys.stderr)
    try:
        job = client.scatter(algo.job(), broadcast=True, hash=False)
        workers = list(client.scheduler_info()["workers"])
        warmed = client.gather([client.submit(warm, job, dtype, workers=[w], pure=False,
                                              allow_other_workers=False)
                                for w in workers for dtype in dtypes])
        sent = [given if graph is None else graph for graph, given in zip(graphs, inputs)]
        batches = chunks(sent, len(workers))
        starts = [0, *accumulate(map(len, batches[:-1]))]
        scattered = client.scatter(batches, hash=False)
        futures = [client.submit(run_chunk, job, start, batch, params, read_options or {},
                                 pure=False) for start, batch in zip(starts, scattered)]
    except BaseException:
        if owns_client:
            client.cluster.close()
            client.close()
        raise
    return GraphMap(client, futures, inputs, graphs, warmed, (on_error, progress, policy),
                    algo.name, owns_client)
