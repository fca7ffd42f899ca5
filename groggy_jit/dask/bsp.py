"""Bulk-synchronous execution of one graph split across Dask workers.

The coordinator (this process) walks the split plan (see ``split``): for every phase
it sends each partition's ghosts their boundary values (worker to worker), runs the
phase kernel on every partition, gathers the reductions' partials (one scalar per
partition each) and combines them, then computes the scalars, the stop test
included.  Partition state (local node values) never leaves its worker until the end:
each worker keeps it in ``STATES``, so a phase task returns only its partials and the
coordinator gathers them with no further task.  Task dependencies order the state's
reads and writes: a partition's phase runs after its previous phase and after the
boundary tasks that read that phase's values.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass

import numpy as np

from ..driver import ConfiguredAlgorithm, check_requirements
from ..errors import PartitionError
from ..graph import Graph, as_graph, read_graph
from ..ir.ops import RESULT, op_def
from ..ir.types import Kind
from ..runtime.conditions import RUN_POLICY, check_policy, report_nonconvergence
from ..runtime.params import bind
from ..runtime.result import LoopReport, Result
from .cluster import require_dask
from .many import warm
from .partition import (halo_partition, is_partition_folder, node_ranges, read_index,
                        read_partition, receives)
from .split import COMBINE, GLOBAL_INDEX, IS_LOCAL, Block, split

__all__ = ["PartitionedResult", "run_partitioned"]


@dataclass
class PartitionedResult(Result):
    """A Result with what the partitioned run exchanged."""
    partitions: int = 1
    bytes_per_round: int = 0          # ghost values sent between workers in one loop round
    phases_per_round: int = 0


# On each worker: the state (node values by IR value id) of the partitions it holds,
# by (run, partition); a run's entries are dropped when it ends.
STATES: dict[tuple[str, int], dict] = {}


def run_phase(after, part, run, job, names, scalars, boundaries, renames, outputs):
    """On a worker: one phase kernel on one partition; stores its new state, returns
    the reductions' partials.

    ``after`` (the partition's previous phase, and the boundary tasks that read it) is
    there only to order this task after them.  ``names`` maps node values to kernel
    parameters, ``boundaries`` holds, by halo start position, the ghost values other
    partitions sent; ``renames`` (new <- old) move carried values before the kernel
    reads them."""
    state = dict(_state(run, part.index))
    state.update({new: state[old] for new, old in renames.items()})
    size, local = part.graph.num_nodes, part.num_local
    args = dict(scalars)
    for value, name in names.items():
        if name == GLOBAL_INDEX:
            args[name] = part.global_index
            continue
        halo = np.zeros(size, dtype=state[value].dtype)
        halo[:local] = state[value]
        for start, got in boundaries.items():
            if value in got:
                halo[start:start + len(got[value])] = got[value]
        args[name] = halo
    if IS_LOCAL in job.params:
        args[IS_LOCAL] = np.arange(size) < local
    reads_weights = not part.graph.weighted and any(r.uses_weights for r in job.runners.values())
    result, _ = job.run(part.graph, args, ones=part.unit_weights() if reads_weights else None)
    partials = {}
    for name, value in outputs.items():
        out = result.values[name]
        if np.ndim(out) == 0:
            partials[value] = out
        else:
            state[value] = np.ascontiguousarray(out[:local])
    STATES[run, part.index] = state
    return partials


def _state(run: str, index: int) -> dict:
    try:
        return STATES[run, index]
    except KeyError:
        raise PartitionError(f"partition {index} lost its state (its worker restarted "
                             "during the run); run run_partitioned again") from None


def boundary(after, run: str, owner: int, keys: dict, send: np.ndarray) -> dict:
    """On a worker: the values another partition's ghosts read, at its positions ``send``."""
    state = _state(run, owner)
    return {value: state[key][send] for value, key in keys.items()}


def local_values(after, run: str, index: int, key: str) -> np.ndarray:
    return _state(run, index)[key]


def initial_state(part, run: str) -> dict:
    """On a worker: a partition's state before any phase (its nodes' global ids)."""
    STATES[run, part.index] = {GLOBAL_INDEX: part.global_index[:part.num_local]}
    return {}


def forget(after, run: str, index: int) -> None:
    """On a worker: drop a finished run's partition state."""
    STATES.pop((run, index), None)


def ghosts_of(part, requirements, name: str):
    """On a worker: check the partition's arcs as the algorithm requires; its ghost ids."""
    check_requirements(requirements, part.graph, name)
    return part.global_index[part.num_local:], str(part.graph.index_dtype)


class _Scalars:
    """What scalar ops read when the coordinator evaluates them: the whole graph's size."""

    def __init__(self, graph, params: dict):
        self.g, self.n, self.params = graph, graph.num_nodes, params


class _Coordinator:
    def __init__(self, client, plan, graph, bound, parts, ranges, ghosts, workers):
        self.client, self.plan, self.ir = client, plan, plan.ir
        self.env: dict[str, object] = {}
        self.scalars = _Scalars(graph, bound)
        self.recv = receives(ranges, ghosts)
        self.workers, self.parts = workers, parts
        # the owners' send lists, placed on the owners once rather than sent every phase
        self.sends = [[client.scatter(recv.send, workers=[workers[recv.owner]], hash=False)
                       for recv in recvs] for recvs in self.recv]
        self.run_id = uuid.uuid4().hex
        # each partition's last task that reads or writes its state
        self.last = [[client.submit(initial_state, part, self.run_id, workers=[w], pure=False)]
                     for part, w in zip(parts, workers)]
        self.pending: dict[str, str] = {}          # state renames the next phase applies
        self.jobs = {}
        self.round_bytes = 0

    def resolve(self, value: str) -> str:
        """The state key that holds ``value`` now (node ids are global ids, held by all)."""
        if op_def(self.ir.node_map[value].op).positional:
            return GLOBAL_INDEX
        return self.pending.get(value, value)

    def rename(self, pairs) -> None:
        """Simultaneous renames new <- old of node values (carries, loop results)."""
        resolved = {new: self.resolve(old) for new, old in pairs}
        self.pending.update(resolved)

    def warm(self, phases, index_dtypes) -> list[str]:
        """Every phase kernel loaded on every worker before the first round (compiled
        once per machine: the workers share the disk cache); returns their origins."""
        submit = self.client.submit
        for phase in phases:
            self.jobs[id(phase)] = self.client.scatter(phase.algorithm.job(index_dtypes),
                                                       broadcast=True, hash=False)
        return self.client.gather([submit(warm, job, dtype, workers=[w], pure=False)
                                   for job in self.jobs.values() for w in set(self.workers)
                                   for dtype in index_dtypes])

    def scalar(self, value: str) -> None:
        node = self.ir.node_map[value]
        inputs = [self.env[i] for i in node.inputs]
        types = [self.ir.node_map[i].type for i in node.inputs]
        self.env[value] = op_def(node.op).evaluate(self.scalars, node, inputs, types)

    def block(self, block: Block, count_bytes: bool = False) -> None:
        for k, phase in enumerate(block.phases):
            for value in block.scalars[k]:
                self.scalar(value)
            self.phase(phase, count_bytes)
        for value in block.scalars[len(block.phases)]:
            self.scalar(value)

    def phase(self, phase, count_bytes: bool) -> None:
        submit = self.client.submit
        scalars = {phase.inputs_named[v]: self.env[v] for v in phase.scalar_inputs}
        names = {v: n for v, n in phase.inputs_named.items() if v not in phase.scalar_inputs}
        keys = {v: self.resolve(v) for v in phase.halo_inputs}   # read before the renames
        last = [list(tasks) for tasks in self.last]
        outs = []
        for q in range(len(self.parts)):
            boundaries = {}
            for recv, send in zip(self.recv[q], self.sends[q]) if keys else ():
                sent = submit(boundary, self.last[recv.owner], self.run_id, recv.owner, keys,
                              send, workers=[self.workers[recv.owner]], pure=False)
                boundaries[recv.start] = sent
                last[recv.owner].append(sent)           # read before the owner's next phase
                if count_bytes:
                    self.round_bytes += len(recv.send) * sum(
                        self.ir.node_map[v].type.dtype.numpy.itemsize for v in keys)
            outs.append(boundaries)
        for q, part in enumerate(self.parts):
            out = submit(run_phase, last[q], part, self.run_id, self.jobs[id(phase)], names,
                         scalars, outs[q], dict(self.pending), phase.output_of,
                         workers=[self.workers[q]], pure=False)
            self.last[q] = [out]
        self.pending = {}
        if phase.reductions:
            gathered = self.client.gather([tasks[0] for tasks in self.last])
            for value in phase.reductions:
                node = self.ir.node_map[value]
                combined = COMBINE[node.attr("reduce")]([p[value] for p in gathered])
                self.env[value] = node.type.dtype.numpy.type(combined)

    # --- the algorithm -------------------------------------------------------------------
    def run(self):
        """Walk the plan; returns ({output: value}, loop reports) like the interpreter."""
        loops = []
        for item in self.plan.items:
            if isinstance(item, Block):
                self.block(item)
            else:
                loops.append(self.loop(*item))
        values = {}
        for name, value in self.ir.outputs:
            node = self.ir.node_map[value]
            if op_def(node.op).storage == RESULT:
                value = self.ir.carry_of(node).id
            if node.type.kind is Kind.SCALAR:
                values[name] = self.env[value]
                continue
            key = self.resolve(value)
            pieces = [self.client.submit(local_values, self.last[q], self.run_id, q, key,
                                         workers=[w], pure=False)
                      for q, w in enumerate(self.workers)]
            values[name] = np.concatenate(self.client.gather(pieces))
        return values, loops

    def forget(self) -> None:
        """Drop this run's state on every worker (after its last task; a failed run's
        error is the one raised, not this)."""
        self.client.gather([self.client.submit(forget, self.last[q], self.run_id, q,
                                               workers=[w], pure=False)
                            for q, w in enumerate(self.workers)], errors="skip")

    def loop(self, node, body: Block) -> LoopReport:
        carries = self.ir.carries(node.id)
        self.carry([(c, c.inputs[0]) for c, _ in carries])
        max_iter, stop = int(self.env[node.inputs[0]]), node.attr("stop")
        test = node.attr("residual")
        iterations, converged, residual = 0, False, None
        while iterations < max_iter:
            self.round_bytes = 0
            self.block(body, count_bytes=True)
            if test is not None:
                residual = float(self.env[test])
            self.carry([(c, nxt.id) for c, nxt in carries])
            iterations += 1
            if stop is not None and bool(self.env[stop]):
                converged = True
                break
        return LoopReport(iterations, converged if stop is not None else None, residual)

    def carry(self, pairs) -> None:
        """carry <- value for every pair at once: node maps renamed, scalars copied."""
        nodes = [(c.id, v) for c, v in pairs if c.type.kind is not Kind.SCALAR]
        scalars = {c.id: self.env[v] for c, v in pairs if c.type.kind is Kind.SCALAR}
        self.rename(nodes)
        self.env.update(scalars)


def run_partitioned(algo, graph_or_path, client, partitions: int = 2,
                    **params) -> PartitionedResult:
    """Run ``algo`` on one graph split into ``partitions`` contiguous node ranges.

    Each partition lives on one worker (round robin) with its nodes' in- and out-arcs;
    every loop round runs the algorithm's round kernels there and exchanges only
    boundary values; reductions and the stop test are combined by this process.

    Parameters
    ----------
    algo : Algorithm or configured algorithm
        PageRank, connected components, BFS, or any algorithm whose code uses only
        elementwise ops, pulls and sum/min/max/any/all/count reductions, with at most
        one level of loops; others raise PartitionError naming what cannot be split.
    graph_or_path : graph, path, or folder of partitions
        A graph (anything ``as_graph`` takes) or a file ``read_graph`` reads: it is read
        and cut here, and each worker receives only its partition.  Or a folder that
        ``write_partitions`` wrote: each worker reads only its own partition's file, so
        no process holds the whole graph (``partitions`` is then the folder's; the result
        has no ``graph``).
    client : distributed.Client
    partitions : int
        Number of node ranges (may exceed the number of workers).
    params
        The algorithm's parameters, and ``on_nonconvergence`` as for ``Algorithm.run``.

    Returns
    -------
    PartitionedResult
        The same outputs as ``algo.run(G)`` (float sums may differ in the last bits),
        plus ``bytes_per_round`` exchanged and ``times["round"]``.
    """
    require_dask()
    if isinstance(algo, ConfiguredAlgorithm):
        algo, params = algo.algorithm, algo.params | params
    policy = params.pop("on_nonconvergence", RUN_POLICY)
    check_policy(policy)
    plan = split(algo)
    workers = list(client.scheduler_info()["workers"])
    if not workers:
        raise PartitionError(f"run_partitioned({algo.name}): the Dask cluster has no workers "
                             "(none started, or they died); start some, or wait for them with "
                             "client.wait_for_workers(n)")
    if is_partition_folder(graph_or_path):          # each worker reads its own file
        graph, ranges = read_index(graph_or_path)
        placed = [workers[p % len(workers)] for p in range(len(ranges))]
        parts = [client.submit(read_partition, os.fspath(graph_or_path), p, workers=[w],
                               pure=False) for p, w in enumerate(placed)]
    else:
        is_path = isinstance(graph_or_path, (str, os.PathLike))
        graph = read_graph(graph_or_path) if is_path else as_graph(graph_or_path)
        ranges = node_ranges(graph.num_nodes, partitions, graph)
        placed = [workers[p % len(workers)] for p in range(len(ranges))]
        parts = [client.scatter(halo_partition(graph, p, lo, hi), workers=[w], hash=False)
                 for p, ((lo, hi), w) in enumerate(zip(ranges, placed))]
    if "undirected" in plan.ir.requirements:
        check_requirements({"undirected"}, graph, algo.name)
    bound = bind(plan.ir.params, params, graph)
    found = client.gather([client.submit(ghosts_of, part, plan.ir.requirements, algo.name,
                                         workers=[w], pure=False)
                           for part, w in zip(parts, placed)])
    coordinator = _Coordinator(client, plan, graph, bound, parts, ranges,
                               [ghosts for ghosts, _ in found], placed)
    phases = [phase for item in plan.items
              for phase in (item if isinstance(item, Block) else item[1]).phases]
    dtypes = sorted({dtype for _, dtype in found})
    coordinator.warm(phases, dtypes)
    start = time.perf_counter()
    try:
        values, loops = coordinator.run()
        seconds = time.perf_counter() - start
    finally:
        coordinator.forget()
    rounds = sum(report.iterations for report in loops)
    body = [item[1] for item in plan.items if not isinstance(item, Block)]
    kinds = {name: plan.ir.node_map[v].type.kind.value for name, v in plan.ir.outputs}
    result = PartitionedResult(values, loops, graph if isinstance(graph, Graph) else None,
                               {"run": seconds, "round": seconds / max(rounds, 1)}, kinds,
                               partitions=len(parts), bytes_per_round=coordinator.round_bytes,
                               phases_per_round=sum(len(b.phases) for b in body))
    return report_nonconvergence(result, policy, algo.name)

