"""The driver: trace -> optimize -> plan -> emit -> load -> run, one stage after another.

``Algorithm`` is a traced algorithm that compiles once per structure and runs many
times; ``algorithm`` (the decorator) and ``AlgorithmBuilder.build`` make one.  This
module sits above every stage it chains, so no stage imports it.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .codegen.abi import SCHEDULES, unpack_results
from .codegen.emit import generate_source
from .dsl.builder import IRBuilder
from .dsl.trace import signature_params, trace
from .errors import GraphInputError, ParameterError
from .graph import Graph, as_graph
from .graph.graph import is_networkx
from .ir.graph import IRGraph
from .passes.manager import optimize
from .plan.estimate import estimate_performance
from .plan.generator import compile_plan
from .runtime import tiers
from .runtime.cache import DEFAULT_CACHE
from .runtime.conditions import CALL_POLICY, RUN_POLICY, check_policy, report_nonconvergence
from .runtime.executor import kernel_args
from .runtime.interpreter import interpret
from .runtime.launch import call_kernel
from .runtime.notice import compile_notice
from .runtime.params import bind
from .runtime.result import LoopReport, Result

_NOT_GIVEN = object()


@dataclass
class Stats:
    """Compile and run counters of one algorithm in this process."""
    compiles: int = 0          # kernels Numba compiled from scratch
    disk_hits: int = 0         # kernels whose machine code an earlier process cached
    memory_hits: int = 0       # runs that found their kernel already loaded
    runs: int = 0
    compile_seconds: float = 0.0
    load_seconds: float = 0.0
    run_seconds: float = 0.0
    kernels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Runner:
    outputs: tuple[str, ...]
    uses_weights: bool
    loops: tuple[tuple[int, bool, bool], ...]   # see loop_rows
    kinds: dict[str, str]


# Graphs with at least this many nodes + arcs run their loops where Ctrl-C can stop them.
INTERRUPTIBLE_SIZE = 1 << 16


@dataclass(frozen=True)
class EdgeWeights:
    """How an algorithm reads a networkx graph's edges, networkx's way.

    ``keyword`` names the call's keyword for the weight attribute (networkx's
    name: ``weight``, or ``distance`` for closeness); None: the algorithm takes
    none and uses ``default``. ``weight=None`` in a call means unweighted, also
    for a weighted ``Graph``. ``parallel`` says how a multigraph's parallel
    edges combine: "sum" (degree, PageRank), "min" (shortest paths), or None:
    multigraphs are refused. ``weighted=False``: the keyword exists, as in
    networkx, but only None is supported yet. Without a keyword, the weights of
    a ``Graph`` are read as they are.
    """
    keyword: str | None = "weight"
    default: str | None = "weight"
    parallel: str | None = "sum"
    weighted: bool = True

    def take(self, params: dict) -> tuple[str | None, dict]:
        """The weight attribute of a call and its other parameters."""
        if self.keyword is None or self.keyword not in params:
            return self.default, params
        rest = dict(params)
        weight = rest.pop(self.keyword)
        if weight is not None and not isinstance(weight, str):
            raise ParameterError(f"{self.keyword}={weight!r}: pass the name of an edge "
                                 "attribute (e.g. 'weight'), or None for unweighted")
        if weight is not None and not self.weighted:
            raise ParameterError(f"{self.keyword}={weight!r}: the weighted form is not "
                                 f"supported yet; pass {self.keyword}=None (unweighted)")
        return weight, rest


class Algorithm:
    """An algorithm written in the DSL.

    Call it with a graph to run it (``algo(G, damping=0.9)``), or with parameters
    only to get a configured copy that ``.run(G)`` later, as in groggy.
    """

    def __init__(self, name: str, tracer: Callable[[bool], IRGraph | None] | None = None,
                 ir: IRGraph | None = None, doc: str | None = None, opt_level: int = 1,
                 weights: EdgeWeights | None = None):
        self.name = name
        self._weights = weights
        self._tracer = tracer
        self._ir = ir
        self._unit_ir = None if tracer else ir        # built algorithms have one IR
        self.__doc__ = doc
        self.opt_level = opt_level
        # keyed by (index dtype, whether the graph has weights)
        self._plans: dict[tuple, object] = {}
        self._sources: dict[tuple, object] = {}
        self._kernels: dict[tuple, Callable] = {}
        self._runners: dict[tuple, _Runner] = {}
        self.stats = Stats()

    @classmethod
    def from_function(cls, fn: Callable, name: str | None = None, opt_level: int = 1,
                      weights: EdgeWeights | None = None) -> "Algorithm":
        signature_params(fn)                       # fail early on an untraceable signature
        name = name or fn.__name__
        algo = cls(name, lambda unit=False: trace(fn, name, unit), doc=fn.__doc__,
                   opt_level=opt_level, weights=weights)
        # Look like the function (its module, name, docstring, __wrapped__), so that
        # doctest collects the function's examples from the module that defines it.
        functools.update_wrapper(algo, fn, updated=())
        return algo

    @classmethod
    def from_ir(cls, ir: IRGraph, opt_level: int = 1) -> "Algorithm":
        return cls(ir.name, ir=ir, opt_level=opt_level)

    # --- the compiler's products, each made once ----------------------------------------
    @property
    def ir(self) -> IRGraph:
        """The traced IR, before optimization."""
        if self._ir is None:
            self._ir = self._tracer(False)
        return self._ir

    def ir_for(self, weighted: bool = True) -> IRGraph:
        """The IR for weighted graphs, or for graphs without weights (where a weight that
        only multiplies is 1, so the kernel reads none)."""
        if weighted:
            return self.ir
        if self._unit_ir is None:
            self._unit_ir = self._tracer(True) or self.ir
        return self._unit_ir

    @property
    def params(self) -> dict:
        return dict(self.ir.params)

    @property
    def weights(self) -> EdgeWeights:
        """How networkx edges become weights; by default the ``weight`` attribute when
        the algorithm reads weights, parallel edges summed."""
        if self._weights is None:
            reads = any(n.op == "edge_weight" or n.attr("weight") for n in self.ir.nodes)
            self._weights = EdgeWeights(None, "weight" if reads else None, "sum")
        return self._weights

    def plan_for(self, index_dtype: str = "int32", weighted: bool = False):
        key = (index_dtype, weighted)
        if key not in self._plans:
            self._plans[key] = compile_plan(self.ir_for(weighted), index_dtype, self.opt_level)
        return self._plans[key]

    def source_for(self, index_dtype: str = "int32", weighted: bool = False):
        key = (index_dtype, weighted)
        if key not in self._sources:
            self._sources[key] = generate_source(self.plan_for(index_dtype, weighted))
        return self._sources[key]

    @property
    def plan(self):
        """The batch execution plan for unweighted graphs with int32 indices."""
        return self.plan_for("int32")

    @property
    def source(self) -> str:
        """The generated kernel module for unweighted graphs with int32 indices."""
        return self.source_for("int32").text

    def estimate(self, G=None, **options):
        """Predicted bytes moved, ops and seconds for a run (see ``estimate_performance``)."""
        graph = None if G is None else as_graph(G)
        dtype = "int32" if graph is None else str(graph.index_dtype)
        weighted = graph is not None and graph.weighted
        return estimate_performance(self.plan_for(dtype, weighted), graph, **options)

    def explain(self) -> str:
        """The traced IR, the IR after every pass that changed it, and the plan."""
        _, report = optimize(self.ir, self.opt_level, keep_snapshots=True)
        parts = [f"== traced IR\n{self.ir}"]
        parts += [f"== after {name}\n{text}" for name, text in report.snapshots]
        parts.append(f"== passes\n{report or '(no changes)'}")
        parts.append(f"== plan\n{self.plan}")
        return "\n\n".join(parts)

    # --- running -------------------------------------------------------------------------
    def __call__(self, G=_NOT_GIVEN, /, *positional, **params):
        if positional:
            raise ParameterError(f"{self.name}() takes its parameters by keyword, e.g. "
                                 f"{self.name}(G, {next(iter(self.ir.params), 'name')}=...); "
                                 f"got {len(positional)} extra positional argument(s)")
        if G is _NOT_GIVEN:
            check_policy(params.get("on_nonconvergence", CALL_POLICY))
            check_schedule(params.get("schedule", "auto"))
            bind(self.ir.params, self.weights.take(
                {k: v for k, v in params.items()
                 if k not in ("on_nonconvergence", "tier", "schedule")})[1])
            return ConfiguredAlgorithm(self, params)
        result = self.run(G, **({"on_nonconvergence": CALL_POLICY} | params))
        return result.labelled() if is_networkx(G) else result.value

    def run(self, G, *, tier: str | None = None, on_nonconvergence: str = RUN_POLICY,
            schedule: str = "auto",
            **params) -> Result:
        """Run on ``G`` (a Graph, scipy sparse matrix or networkx graph); full result.

        ``tier`` forces ``"kernel"`` or ``"interpret"``; by default ``GROGGY_JIT_TIER``
        decides, else ``"auto"``: a kernel not compiled yet compiles in the background
        while the interpreter answers, when that is predicted faster (``runtime.tiers``).
        ``Result.tier`` says which ran; the answers agree.

        A loop that stops at its iteration limit warns (``on_nonconvergence="warn"``,
        the default here; ``algo(G)`` raises), raises ``ConvergenceError``
        (``"raise"``) or is only reported in ``Result.converged`` (``"ignore"``).
        ``schedule="auto"|"push"|"pull"`` chooses how frontier rounds run (see
        ``print(algo.plan)``): per round by a cost rule, or always one way. Results
        are identical; only the time differs. It never recompiles.
        """
        check_policy(on_nonconvergence)
        check_schedule(schedule)
        graph, bound = self._prepare(G, params)
        result = self._run_tiered(graph, bound, tiers.requested_tier(tier), schedule)
        return report_nonconvergence(result, on_nonconvergence, self.name)

    def _run_tiered(self, graph: Graph, bound: dict, asked: str,
                    schedule: str = "auto") -> Result:
        tier = asked
        weighted = graph.weighted
        if asked != "interpret" and (graph.index_dtype, weighted) not in self._kernels:
            source = self.source_for(str(graph.index_dtype), weighted).text
            tier = tiers.choose(asked, source, lambda: self._tier_costs(graph, source))
        if tier == "interpret":
            switch = None if asked == "interpret" else tiers.switch_check(source)
            try:
                return self._interpret(graph, bound, switch)
            except tiers.KernelLanded:
                pass                               # compiled meanwhile: the kernel answers
        return self._run_kernel(graph, bound, schedule)

    def _run_kernel(self, graph: Graph, bound: dict, schedule: str = "auto") -> Result:
        kernel, loaded = self.kernel_for(graph.index_dtype, graph.weighted)
        result = run_loaded(kernel, self._runner(graph.index_dtype, graph.weighted), graph,
                            bound, schedule)
        result.times["load"] = loaded
        self.stats.runs += 1
        self.stats.run_seconds += result.times["run"]
        return result

    def job(self, index_dtypes=("int32", "int64")) -> "KernelJob":
        """What another process needs to run this algorithm without tracing it (picklable)."""
        variants = [(str(np.dtype(d)), weighted) for d in index_dtypes
                    for weighted in (False, True)]
        return KernelJob(self.name,
                         {_job_key(d, w): self.source_for(d, w).text for d, w in variants},
                         {_job_key(d, w): self._runner(np.dtype(d), w) for d, w in variants},
                         dict(self.ir.params), frozenset(self.ir.requirements))

    def _runner(self, index_dtype, weighted: bool = False) -> "_Runner":
        """What every run on graphs of this index dtype (and weights or not) reads from the
        plan, found once."""
        key = (index_dtype, weighted)
        runner = self._runners.get(key)
        if runner is None:
            plan = self.plan_for(str(np.dtype(index_dtype)), weighted)
            runner = _Runner(tuple(name for name, _ in plan.outputs), plan.uses_weights,
                             loop_rows(plan), self._kinds())
            self._runners[key] = runner
        return runner

    def map(self, graphs, *, threads: int = 1, on_error: str = "raise", progress=None,
            stream: bool = False, read_options: dict | None = None, **params):
        """Run on every graph of ``graphs``, in order (see :func:`.pipeline.map_graphs`)."""
        from .pipeline import map_graphs
        return map_graphs(self, graphs, params, threads=threads, on_error=on_error,
                          progress=progress, stream=stream, read_options=read_options)

    def sweep(self, G, grid=None, *, progress=None, stream: bool = False, **axes):
        """Run on ``G`` for every parameter setting (see :func:`.pipeline.sweep_grid`)."""
        from .pipeline import sweep_grid
        return sweep_grid(self, G, grid, axes, progress=progress, stream=stream)

    def interpret(self, G, *, on_nonconvergence: str = RUN_POLICY, schedule: str = "auto",
                  **params) -> Result:
        """Run with the reference interpreter (plain numpy, no Numba); ``schedule`` is
        checked and changes nothing."""
        check_policy(on_nonconvergence)
        check_schedule(schedule)
        graph, bound = self._prepare(G, params)
        return report_nonconvergence(self._interpret(graph, bound), on_nonconvergence,
                                     self.name)

    def _interpret(self, graph: Graph, bound: dict, between_rounds=None) -> Result:
        start = time.perf_counter()
        values, loops = interpret(self.ir_for(graph.weighted), graph, bound, between_rounds)
        return Result(values, loops, graph, {"run": time.perf_counter() - start},
                      self._kinds(), tier="interpret")

    def _tier_costs(self, graph: Graph, source: str) -> tuple[float, float]:
        """Predicted seconds of interpreting, and of compiling then running the kernel."""
        plan = self.plan_for(str(graph.index_dtype), graph.weighted)
        # fixed loops at their count, loops that may stop early at one round: a lower bound
        once = {step.index: 1 for step in plan.loop_steps()
                if plan.ir.node_map[step.loop].attr("kind") != "fixed"}
        estimate = estimate_performance(plan, graph, iterations=once)
        return tiers.predicted_seconds(estimate, source.count("prange("))

    def _kinds(self) -> dict[str, str]:
        return {name: self.ir.node_map[nid].type.kind.value for name, nid in self.ir.outputs}

    def kernel_for(self, index_dtype, weighted: bool = False) -> tuple[Callable, float]:
        """The compiled kernel for graphs with this index dtype (and with weights or not),
        and the seconds spent loading it."""
        key = (index_dtype, weighted)
        function = self._kernels.get(key)
        if function is not None:
            self.stats.memory_hits += 1
            return function, 0.0
        source = self.source_for(str(np.dtype(index_dtype)), weighted)
        with compile_notice(self.name) as load:
            kernel, origin = DEFAULT_CACHE.load(source.text)
            load.from_cache = origin != "compile"
        self._kernels[key] = kernel.function
        if origin == "memory":
            self.stats.memory_hits += 1
            return kernel.function, 0.0
        if origin == "disk":
            self.stats.disk_hits += 1
            self.stats.load_seconds += kernel.seconds
        else:
            self.stats.compiles += 1
            self.stats.compile_seconds += kernel.seconds
        self.stats.kernels.append(str(kernel.path))
        return kernel.function, kernel.seconds

    def _prepare(self, G, params) -> tuple[Graph, dict]:
        if G is None:
            raise GraphInputError(f"{self.name}() needs a graph as its first argument")
        weight, params = self.weights.take(params)
        graph = self.graph_of(G, weight)
        check_requirements(self.ir.requirements, graph, self.name)
        return graph, bind(self.ir.params, params, graph)

    def graph_of(self, G, weight=_NOT_GIVEN) -> Graph:
        """``G`` as a ``Graph``, its edges read as this algorithm reads them (its weight
        keyword, ``weight``, by default networkx's default; parallel edges)."""
        if weight is _NOT_GIVEN:
            weight = self.weights.default
        graph = as_graph(G, weight=weight, parallel=self.weights.parallel)
        if weight is None and self.weights.keyword is not None and not is_networkx(G):
            graph = graph.without_weights()
        return graph

    def __repr__(self) -> str:
        params = ", ".join(f"{p.name}={p.default!r}" for p in self.ir.params.values())
        return f"<groggy_jit algorithm {self.name}({params})>"


def run_loaded(kernel, runner: _Runner, graph: Graph, bound: dict,
               schedule: str = "auto", ones: np.ndarray | None = None) -> Result:
    """One native call of a loaded kernel on ``graph``, its raw outputs made a Result
    (``ones``: the unweighted graph's all-ones weights, when the caller keeps them)."""
    start = time.perf_counter()
    interrupt = np.zeros(1, np.int64)
    # Handing a run to the kernel thread (so Ctrl-C can stop its loops) costs tens of
    # microseconds: small graphs run directly and are interrupted when they return.
    interruptible = runner.loops and graph.num_nodes + graph.num_edges >= INTERRUPTIBLE_SIZE
    raw = call_kernel(kernel, kernel_args(graph, bound, runner.uses_weights, interrupt,
                                          schedule, ones),
                      interrupt if interruptible else None)
    seconds = time.perf_counter() - start
    values, info, residuals = unpack_results(runner.outputs, raw)
    return Result(values, loop_reports(runner.loops, info, residuals), graph, {"run": seconds},
                  runner.kinds)


def loop_rows(plan) -> tuple[tuple[int, bool, bool], ...]:
    """Each loop's row in the kernel's ``loop_info``, whether it is a fixed loop and
    whether it has a residual, in the order the loops were written (as the interpreter
    reports them)."""
    row = {step.loop: step.index for step in plan.loop_steps()}
    return tuple((row[n.id], n.attr("kind") == "fixed", n.attr("residual") is not None)
                 for n in plan.ir.loops())


def loop_reports(rows, info, residuals) -> list[LoopReport]:
    """The kernel's ``loop_info`` and ``loop_residual`` read as one report per loop (see
    :func:`loop_rows`); a loop that never ran has no residual either."""
    return [LoopReport(int(info[row, 0]), None if fixed else bool(info[row, 1] == 1),
                       float(residuals[row]) if measured and info[row, 0] > 0 else None,
                       int(info[row, 2]), int(info[row, 3]))
            for row, fixed, measured in rows]


def _job_key(index_dtype: str, weighted: bool) -> str:
    return index_dtype + ("/weighted" if weighted else "")


@dataclass(frozen=True)
class KernelJob:
    """An algorithm's kernels as source text, with what their results mean: it runs in a
    process that never traced the algorithm, compiling each source once per machine
    through the disk cache (or loading what another process compiled there)."""
    name: str
    sources: dict[str, str]              # index dtype (+ "/weighted") -> kernel module text
    runners: dict[str, _Runner]
    params: dict
    requirements: frozenset

    def run(self, G, params: dict, cache=DEFAULT_CACHE, *,
            ones: np.ndarray | None = None) -> tuple[Result, str]:
        """The Result on ``G``, and where the kernel came from: memory, disk or compile.
        Convergence is only reported (``Result.converged``): the caller decides.
        ``ones`` as for ``run_loaded``."""
        graph = as_graph(G)
        check_requirements(self.requirements, graph, self.name)
        bound = bind(self.params, params, graph)
        key = _job_key(str(graph.index_dtype), graph.weighted)
        kernel, origin = cache.load(self.sources[key])
        return run_loaded(kernel.function, self.runners[key], graph, bound,
                          ones=ones), origin

    def load(self, index_dtype: str = "int32", cache=DEFAULT_CACHE):
        """The loaded kernel for this index dtype and its origin (memory, disk or compile)."""
        return cache.load(self.sources[index_dtype])


class ConfiguredAlgorithm:
    """An algorithm with parameters chosen in advance: ``pagerank(damping=0.9).run(G)``."""

    def __init__(self, algorithm: Algorithm, params: dict):
        self.algorithm = algorithm
        self.params = dict(params)

    def run(self, G, **overrides) -> Result:
        return self.algorithm.run(G, **(self.params | overrides))

    def __call__(self, G, **overrides):
        return self.algorithm(G, **(self.params | overrides))

    def map(self, graphs, **options):
        """``Algorithm.map`` with these parameters."""
        return self.algorithm.map(graphs, **(self.params | options))

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"<configured {self.algorithm.name}({given})>"


def algorithm(name: str | Callable | None = None, *, opt_level: int = 1):
    """Turn a Python function ``f(sG, **params)`` into a compiled graph algorithm.

    Parameters
    ----------
    name : str, optional
        The algorithm's name (default: the function's name).
    opt_level : int
        0 disables optimizing passes and fusion (for debugging), 1 enables all.

    Examples
    --------
    >>> import groggy_jit as gj
    >>> @gj.algorithm("neighbour_sum")
    ... def neighbour_sum(sG, scale=1.0):
    ...     return sG @ sG.nodes(scale)
    >>> neighbour_sum.params["scale"].default
    1.0
    """
    if callable(name):                 # used bare: @algorithm
        return Algorithm.from_function(name, opt_level=opt_level)

    def wrap(fn: Callable) -> Algorithm:
        return Algorithm.from_function(fn, name, opt_level=opt_level)
    return wrap


class AlgorithmBuilder(IRBuilder):
    """Build an algorithm step by step, in groggy's builder vocabulary.

    Examples
    --------
    >>> import groggy_jit as gj
    >>> b = gj.AlgorithmBuilder("degree_scaled")
    >>> x = b.init_nodes(1.0)
    >>> d = b.node_degrees(x)
    >>> b.attach_as("score", b.core.mul(d, b.constant(2.0)))
    >>> algo = b.build()
    """

    def build(self) -> Algorithm:
        """The finished algorithm, ready to run on graphs."""
        return Algorithm.from_ir(self.finish())


def check_schedule(schedule) -> None:
    if schedule not in SCHEDULES:
        raise ParameterError(f"schedule={schedule!r}: use one of {', '.join(map(repr, SCHEDULES))}")


def check_requirements(requirements, graph: Graph, name: str) -> None:
    if "undirected" in requirements and graph.directed:
        raise GraphInputError(f"{name} is defined for undirected graphs; convert first, e.g. "
                              "G.to_undirected() in networkx or Graph.from_scipy(A + A.T, directed=False)")
    if "directed" in requirements and not graph.directed:
        raise GraphInputError(f"{name} is defined for directed graphs; for an undirected one "
                              "use its undirected form (e.g. clustering for clustering_directed)")
    if "nonnegative_weights" in requirements and graph.weighted:
        negative = np.flatnonzero(graph.out_weights < 0)
        if len(negative):
            raise GraphInputError(f"{name} needs non-negative edge weights, but {len(negative)} "
                                  f"arc(s) are negative (first: weight {graph.out_weights[negative[0]]}); "
                                  "shift or drop them, or use an algorithm that allows them")
