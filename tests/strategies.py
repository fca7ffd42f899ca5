"""Random graphs and random well-typed DSL programs, for differential tests.

Programs are built step by step with ``AlgorithmBuilder`` (and the graph handle
``sG`` for edge maps) over a pool of typed values (node maps, edge maps and
scalars; f64, i64, bool).  Every step is also written down
as a line of builder code, so a failing example prints a program that can be
pasted into a regression test as it is.

Two rules keep the comparison between the interpreter and the kernels exact
instead of merely close:

* Float sums depend on the order of the additions, and the interpreter (numpy's
  pairwise sums) and the kernels (chunked sums) add in different orders.  So
  every float value that reaches a sum (``reduce("sum"|"mean")``, ``pull`` and
  ``pull_edges`` with sum or mean, ``normalize``, an L1 convergence test) is first
  *quantized*: clipped to [-1024, 1024] and rounded down to a multiple of 1/64.
  Edge weights are small multiples of 1/4.  Sums of such numbers are exact in
  any order, so all implementations see bit-identical values and a
  comparison, a floor or a loop test can never go different ways.
* Integers stay far from overflow: every i64 result that can grow is clipped to
  [-2**20, 2**20], and a float is made finite and clipped before it becomes an
  integer (casting nan or inf to an integer is undefined behaviour).

The same generator runs on hypothesis draws (``build_program``, ``programs``)
and on a seeded ``random.Random`` (``program_from_seed``), for samples that must
be the same on every run.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np
from hypothesis import note
from hypothesis import strategies as st

import groggy_jit as gj
from groggy_jit.errors import KindError
from groggy_jit.ir.types import DType, Kind

INT_BOUND = 2**20            # |i64 values| stay below this
QUANT_BOUND = 1024.0         # quantized floats lie in [-QUANT_BOUND, QUANT_BOUND] ...
QUANT_STEP = 64.0            # ... on a grid of 1/QUANT_STEP

# Constructs the generator leaves out while a bug in them is open, so that the fuzzer
# keeps looking for other bugs.  Each entry names the test under tests/regressions/
# that keeps the bug visible; delete the entry once that test passes.
AVOID: dict[str, str] = {}

F64_CONSTANTS = [0.0, 1.0, 0.5, -1.0, 2.0, 3.0, -0.25, 10.0, 0.1, 1.0 / 3.0, -2.5, 1e-9,
                 1e6, 1024.0, -0.0, math.inf, -math.inf, math.nan]
I64_CONSTANTS = [0, 1, 2, -1, 3, 5, -7, 10, 64, 1000]
DIRECTIONS = ["in", "out", "both"]
SCALAR_REDUCTIONS = ["sum", "min", "max", "mean", "any", "all", "count"]
PULL_REDUCTIONS = ["sum", "min", "max", "mean", "any", "all", "count", "mode", "argmin", "argmax"]
BEST_NEIGHBOUR = ("argmin", "argmax")
COMPARISONS = ["<", "<=", ">", ">=", "==", "!="]
ARITHMETIC = ["+", "-", "*", "/", "//", "%", "**"]


# --- graphs --------------------------------------------------------------------------

WEIGHTS = [1.0, 0.5, 2.0, 0.0, -1.0, 3.25, 8.0]     # dyadic: weighted sums stay exact


def graph_code(graph: gj.Graph) -> str:
    """Python code that rebuilds ``graph`` (for failure messages and regression tests)."""
    counts = np.diff(graph.out_indptr)
    src = np.repeat(np.arange(graph.num_nodes), counts).tolist()
    dst = np.asarray(graph.out_indices).tolist()
    weights = None if graph.out_weights is None else np.asarray(graph.out_weights).tolist()
    if not graph.directed:                        # each undirected edge once
        keep = [k for k, (u, v) in enumerate(zip(src, dst)) if u <= v]
        src, dst = [src[k] for k in keep], [dst[k] for k in keep]
        weights = None if weights is None else [weights[k] for k in keep]
    given = "" if weights is None else f"weights={weights}, "
    return (f"gj.Graph.from_edges({src}, {dst}, {given}num_nodes={graph.num_nodes}, "
            f"directed={graph.directed})")


@st.composite
def graphs(draw, max_nodes: int = 40) -> gj.Graph:
    """Directed or undirected graphs with 0..max_nodes nodes, self loops, isolated nodes,
    with or without edge weights."""
    n = draw(st.one_of(st.sampled_from([0, 1, 2, 3]), st.integers(0, max_nodes)))
    directed = draw(st.booleans())
    src: list[int] = []
    dst: list[int] = []
    if n:
        node = st.integers(0, n - 1)
        family = draw(st.sampled_from(["random", "star", "no edges", "dense"]))
        if family == "star":                      # one node with a high degree
            hub = draw(node)
            inward = draw(st.booleans())
            for v in range(n):
                src.append(v if inward else hub)
                dst.append(hub if inward else v)
        elif family == "dense" and n <= 12:
            for u in range(n):
                for v in range(n):
                    if u != v:
                        src.append(u)
                        dst.append(v)
        edges = draw(st.lists(st.tuples(node, node), max_size=min(3 * n, 60)))
        if family == "no edges":
            edges = []
        src += [u for u, _ in edges]
        dst += [v for _, v in edges]
    weights = None
    if draw(st.booleans()):
        weights = draw(st.lists(st.sampled_from(WEIGHTS), min_size=len(src), max_size=len(src)))
    graph = gj.Graph.from_edges(src, dst, weights, num_nodes=n, directed=directed)
    note(f"graph = {graph_code(graph)}")
    return graph


# --- choices: hypothesis draws or a seeded generator ------------------------------------

class HypothesisChoices:
    """Decisions drawn by hypothesis (shrinks towards the first option and small numbers)."""

    def __init__(self, draw):
        self.draw = draw

    def integer(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def choice(self, options):
        return self.draw(st.sampled_from(options))


class RandomChoices:
    """Decisions from a seeded ``random.Random``: the same program on every run."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, options):
        return options[self.rng.randrange(len(options))]


# --- programs --------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """How big generated programs get."""
    steps: int = 10              # top-level steps
    body_steps: int = 6          # steps in one loop body
    loops: int = 2               # loops per block
    depth: int = 2               # loop nesting
    max_iter: int = 4            # loop bounds
    outputs: int = 3
    params: bool = True
    edges: bool = True           # edge maps, weighted pulls, masks, gather and scatter


@dataclass(eq=False)
class Item:
    """A value in the pool, its name in the program text, and whether it is sum-safe."""
    value: object
    name: str
    exact: bool                  # quantized float, bounded integer or bool: sums are exact

    @property
    def type(self):
        return self.value.type

    @property
    def kind(self) -> Kind:
        return self.value.kind

    @property
    def dtype(self) -> DType:
        return self.value.dtype


@dataclass(frozen=True)
class Operand:
    """A value as it is written in an expression: a pool name or a Python number."""
    text: str
    dtype: DType
    kind: Kind
    exact: bool


@dataclass(frozen=True)
class Varied:
    """A per-node parameter value that differs from node to node, made for each graph."""
    dtype: DType

    def on(self, graph: gj.Graph) -> np.ndarray:
        i = np.arange(graph.num_nodes)
        if self.dtype is DType.F64:
            return (i % 5) * 0.5 - 1.0
        if self.dtype is DType.I64:
            return i % 4 - 1
        return i % 3 == 0


@dataclass
class Program:
    """A generated algorithm, the builder code that makes it, and parameter values to run."""
    algorithm: gj.Algorithm
    code: str
    params: dict = field(default_factory=dict)        # overrides of the defaults for a run

    def params_on(self, graph: gj.Graph) -> dict:
        """The overrides for a run on ``graph``: per-node values made to fit it."""
        return {k: v.on(graph) if isinstance(v, Varied) else v for k, v in self.params.items()}

    def __repr__(self) -> str:
        return f"Program(params={self.params!r}):\n{self.code}"


def literal(x) -> str:
    if isinstance(x, float):
        if math.isnan(x):
            return 'float("nan")'
        if math.isinf(x):
            return 'float("inf")' if x > 0 else '-float("inf")'
    return repr(x)


def _exact_float(x: float) -> bool:
    return math.isnan(x) or math.isinf(x) or (abs(x) <= INT_BOUND and (x * QUANT_STEP).is_integer())


NODE, EDGE, SCALAR = Kind.NODE, Kind.EDGE, Kind.SCALAR
MAPS = (NODE, EDGE)
KINDS = (NODE, EDGE, SCALAR)


def partners(kind: Kind) -> tuple[Kind, ...]:
    """Kinds an elementwise op may combine with ``kind``: node and edge maps never mix."""
    return KINDS if kind is SCALAR else (kind, SCALAR)


def joint(*kinds: Kind) -> Kind:
    return next((k for k in kinds if k is not SCALAR), SCALAR)


class ProgramGenerator:
    """Grows one random program; ``generate()`` returns it as a ``Program``."""

    def __init__(self, choices, limits: Limits = Limits(), name: str = "fuzz"):
        from groggy_jit.dsl.builder import GraphHandle
        self.c = choices
        self.limits = limits
        self.b = gj.AlgorithmBuilder(name)
        self.ns: dict[str, object] = {"b": self.b, "gj": gj, "sG": GraphHandle(self.b)}
        self.lines = ["from groggy_jit.dsl.builder import GraphHandle",
                      f"b = gj.AlgorithmBuilder({name!r})", "sG = GraphHandle(b)"]
        self.indent = 0
        self.pool: list[Item] = []
        self.counter = 0
        self.loop_counter = 0
        self.params: dict[str, DType] = {}
        self.discarded = 0
        self.kinds = KINDS if limits.edges else (NODE, SCALAR)

    # --- recording ----------------------------------------------------------------------
    def write(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def fresh(self) -> str:
        name = f"v{self.counter}"
        self.counter += 1
        return name

    def emit(self, expr: str, exact: bool) -> Item | None:
        """Evaluate builder code ``expr``, record it as ``vK = expr``, add it to the pool."""
        try:
            value = eval(expr, {"float": float}, self.ns)
        except KindError:
            self.discarded += 1
            return None
        name = self.fresh()
        self.ns[name] = value
        self.write(f"{name} = {expr}")
        item = Item(value, name, exact or value.dtype is not DType.F64)
        self.pool.append(item)
        return item

    # --- picking values -------------------------------------------------------------------
    def pick(self, kinds=KINDS, dtypes=tuple(DType), accept=None) -> Item | None:
        options = [it for it in self.pool if it.kind in kinds and it.dtype in dtypes
                   and (accept is None or accept(it))]
        if not options:
            return None
        # Counting from the newest value: shrinks towards short dependency chains.
        return options[len(options) - 1 - self.c.integer(0, len(options) - 1)]

    def constant(self, dtype: DType):
        if dtype is DType.F64:
            return self.c.choice(F64_CONSTANTS)
        if dtype is DType.I64:
            return self.c.choice(I64_CONSTANTS)
        return self.c.choice([True, False])

    def operand(self, kinds=KINDS, dtypes=tuple(DType)) -> Operand | None:
        """A pool value of one of ``kinds``, or now and then a Python number."""
        if self.c.integer(0, 4) == 0:
            dtype = self.c.choice(list(dtypes))
            x = self.constant(dtype)
            return Operand(literal(x), dtype, SCALAR, dtype is not DType.F64 or _exact_float(x))
        item = self.pick(kinds, dtypes)
        return None if item is None else Operand(item.name, item.dtype, item.kind, item.exact)

    # --- safety wrappers ------------------------------------------------------------------
    def bounded(self, expr: str, dtype: DType) -> str:
        """Clip integers that could grow towards overflow."""
        if dtype is DType.I64:
            return f"({expr}).clip({-INT_BOUND}, {INT_BOUND})"
        return expr

    def quantized(self, item: Item) -> Item | None:
        """A sum-safe version of ``item``: itself when it already is one."""
        if item.exact:
            return item
        return self.emit(f"(({item.name}.clip({-QUANT_BOUND}, {QUANT_BOUND}) * {QUANT_STEP})"
                         f" // 1.0) / {QUANT_STEP}", exact=True)

    def to_int(self, item: Item) -> Item | None:
        """A float made finite and clipped, then cast: nan and inf have no integer value."""
        return self.emit(f"({item.name} == {item.name}).where({item.name}, 0.0).clip("
                         f"{-QUANT_BOUND}, {QUANT_BOUND}).astype('i64')", True)

    def summable(self, item: Item | None, how: str) -> Item | None:
        """``item`` made safe to go into the reduction ``how``."""
        if item is not None and how in ("sum", "mean") and item.dtype is DType.F64:
            return self.quantized(item)
        return item

    # --- steps ----------------------------------------------------------------------------
    def block(self, steps: int, depth: int) -> None:
        loops = 0
        for _ in range(steps):
            makers = [self.source, self.source, self.arithmetic, self.arithmetic,
                      self.arithmetic, self.compare, self.logic, self.where, self.unary,
                      self.min_max, self.clip, self.cast, self.reduce, self.pull, self.pull,
                      self.normalize, self.broadcast]
            if self.limits.edges:
                makers += [self.edge_source, self.edge_source, self.pull_edges, self.gather,
                           self.scatter]
            if depth < self.limits.depth and loops < self.limits.loops:
                makers += [self.loop, self.loop]
            if not self.pool:
                makers = [self.source]
            maker = self.c.choice(makers)
            if maker == self.loop:
                loops += 1
                self.loop(depth)
            else:
                maker()

    def source(self) -> None:
        kind = self.c.choice(["fill", "unique", "degree", "constant", "param", "n", "m",
                              "directed", "node_values"])
        if kind in ("fill", "constant"):
            dtype = self.c.choice(list(DType))
            x = self.constant(dtype)
            call = "init_nodes" if kind == "fill" else "constant"
            self.emit(f"b.{call}({literal(x)})", dtype is not DType.F64 or _exact_float(x))
        elif kind == "unique":
            self.emit("b.init_nodes(unique=True)", True)
        elif kind == "degree":
            self.emit(f"b.node_degrees(over={self.c.choice(DIRECTIONS)!r})", True)
        elif kind == "param" and self.limits.params:
            self.param(self.c.choice(list(DType)))
        elif kind == "node_values" and self.limits.params:
            self.param(self.c.choice(list(DType)), per_node=True)
        elif kind == "n":
            self.emit("b.graph_node_count()", True)
        elif kind == "m":
            self.emit("b.graph_edge_count()", True)
        elif kind == "directed":
            self.emit("sG.directed", True)

    def edge_source(self) -> None:
        kind = self.c.choice(["src", "dst", "weights", "common"])
        if kind in ("src", "dst"):
            x = self.pick((NODE,))
            if x is not None:
                self.emit(f"sG.{kind}({x.name})", x.exact)
        elif kind == "weights":
            self.emit("sG.edge_weights()", True)
        else:
            self.emit("sG.common_neighbors()", True)

    def param(self, dtype: DType, per_node: bool = False) -> Item | None:
        """A scalar parameter, or with ``per_node`` one value per node (runs pass a scalar)."""
        name = f"p{len(self.params)}"
        default = self.param_value(dtype)
        self.params[name] = Varied(dtype) if per_node else dtype
        call = "node_values_param" if per_node else "param"
        return self.emit(f"b.{call}({name!r}, {literal(default)})",
                         dtype is not DType.F64 or _exact_float(default))

    def param_value(self, dtype: DType):
        if dtype is DType.F64:
            return self.c.choice([0.5, 1.0, -2.0, 0.0, 0.75, 100.0, 0.3])
        if dtype is DType.I64:
            return self.c.integer(-1, 4)
        return self.c.choice([True, False])

    def arithmetic(self) -> None:
        a = self.pick(self.kinds)
        other = a and self.operand(partners(a.kind))
        if a is None or other is None:
            return
        op = self.c.choice(ARITHMETIC)
        left, right = (other.text, a.name) if self.c.integer(0, 3) == 0 else (a.name, other.text)
        expr = f"{left} {op} {right}"
        if op in ("/", "**"):
            dtype = DType.F64
        else:
            dtype = DType.F64 if DType.F64 in (a.dtype, other.dtype) else DType.I64
        self.emit(self.bounded(expr, dtype) if op in "+-*" else expr, exact=False)

    def compare(self) -> None:
        a = self.pick(self.kinds)
        other = a and self.operand(partners(a.kind))
        if a is None or other is None:
            return
        op = self.c.choice(COMPARISONS)
        if self.c.integer(0, 3) == 0:
            self.emit(f"b.core.compare({a.name}, {op!r}, {other.text})", True)
        else:
            self.emit(f"({a.name} {op} {other.text})", True)

    def logic(self) -> None:
        a = self.pick(self.kinds, dtypes=(DType.BOOL,))
        if a is None:
            return
        op = self.c.choice(["&", "|", "~"])
        if op == "~":
            self.emit(f"~{a.name}", True)
            return
        other = self.operand(partners(a.kind), dtypes=(DType.BOOL,))
        if other is not None:
            self.emit(f"{a.name} {op} {other.text}", True)

    def where(self) -> None:
        cond = self.pick(self.kinds, dtypes=(DType.BOOL,))
        x = cond and self.operand(partners(cond.kind))
        y = x and self.operand(partners(joint(cond.kind, x.kind)))
        if y is None:
            return
        exact = x.exact and y.exact
        if self.c.integer(0, 3) == 0:
            self.emit(f"b.core.where({cond.name}, {x.text}, {y.text})", exact)
        else:
            self.emit(f"{cond.name}.where({x.text}, {y.text})", exact)

    def unary(self) -> None:
        a = self.pick(self.kinds)
        if a is None:
            return
        op = self.c.choice(["abs", "neg", "sqrt", "exp", "log", "abs()", "recip"])
        if op == "abs":
            self.emit(self.bounded(f"abs({a.name})", a.dtype), a.exact)
        elif op == "abs()":
            self.emit(f"{a.name}.abs()", a.exact)
        elif op == "neg":
            self.emit(f"-{a.name}", a.exact)
        elif op == "recip":
            self.emit(f"b.core.recip({a.name}, 1e-10)", False)
        else:
            self.emit(f"{a.name}.{op}()", False)

    def min_max(self) -> None:
        a = self.pick(self.kinds)
        other = a and self.operand(partners(a.kind))
        if a is None or other is None:
            return
        op = self.c.choice(["minimum", "maximum"])
        self.emit(f"{a.name}.{op}({other.text})", a.exact and other.exact)

    def clip(self) -> None:
        a = self.pick(self.kinds)
        if a is None:
            return
        lo, hi = self.c.choice([(0, 1), (-1.0, 1.0), (0.0, 100.0), (-5, 5), (2, -2), (0.25, 0.75)])
        exact = a.exact and _exact_float(float(lo)) and _exact_float(float(hi))
        self.emit(f"{a.name}.clip({lo!r}, {hi!r})", exact)

    def cast(self) -> None:
        a = self.pick(self.kinds)
        if a is None:
            return
        target = self.c.choice(["f64", "i64", "bool"])
        if target == "i64" and a.dtype is DType.F64:
            self.to_int(a)
        else:
            self.emit(f"{a.name}.astype({target!r})", a.exact)

    def broadcast(self) -> None:
        s = self.pick((SCALAR,))
        if s is None:
            return
        like = self.pick((NODE,))
        if like is not None and self.c.integer(0, 1):
            self.emit(f"b.core.broadcast_scalar({s.name}, {like.name})", s.exact)
        else:
            self.emit(f"b.init_nodes({s.name})", s.exact)

    def reduce(self) -> None:
        how = self.c.choice(SCALAR_REDUCTIONS)
        a = self.summable(self.pick(MAPS if self.limits.edges else (NODE,)), how)
        if a is None:
            return
        if self.c.integer(0, 4) == 0:
            expr = f"b.core.reduce_scalar({a.name}, {how!r})"
        else:
            expr = f"{a.name}.reduce({how!r})"
        if how in ("sum", "min", "max"):
            expr = self.bounded(expr, _reduced_dtype(a.dtype, how))
        self.emit(expr, exact=how in ("min", "max") and a.exact)

    def pull(self) -> None:
        how = self.c.choice(PULL_REDUCTIONS)
        over = self.c.choice(DIRECTIONS)
        if how in BEST_NEIGHBOUR:   # numbers both sides agree on exactly, or ties could differ
            a = self.pick((NODE,), (DType.F64, DType.I64), accept=lambda it: it.exact)
        else:
            a = self.summable(self.pick((NODE,)), how)
        if a is None:
            return
        extra, dtype = "", _reduced_dtype(a.dtype, how)
        if self.limits.edges and self.c.integer(0, 2) == 0:
            mask = self.pick((NODE,), (DType.BOOL,))
            if mask is not None:
                extra += f", mask={mask.name}"
        if self.limits.edges and self.c.integer(0, 2) == 0:
            at = self.pick((NODE,), (DType.BOOL,))
            if at is not None:
                extra += f", at={at.name}"
        if self.limits.edges and self.c.integer(0, 3) == 0:
            extra += f", first={self.c.integer(1, 3)}"     # each node's first arcs only
        if self.limits.edges and how != "mode" and self.c.integer(0, 2) == 0:
            combine = self.c.choice(["default", "mul", "add"])
            extra += ", weight='weight'" + ("" if combine == "default" else f", combine={combine!r}")
            dtype = _reduced_dtype(DType.F64, how)
        form = self.c.integer(0, 5)
        if not extra and form == 0 and how == "mode":
            expr = f"b.graph_ops.neighbor_mode_update({a.name}, over={over!r})"
        elif not extra and form == 1:
            expr = f"b.graph_ops.neighbor_agg({a.name}, {how!r}, over={over!r})"
        elif form == 2 and over == "in" and how == "sum" and not extra:
            expr = f"sG @ {a.name}"
        else:
            expr = f"b.pull({a.name}, over={over!r}, reduce={how!r}{extra})"
        if how in ("sum", "min", "max"):
            expr = self.bounded(expr, dtype)
        self.emit(expr, exact=how in BEST_NEIGHBOUR or (how in ("min", "max", "mode") and a.exact
                                                   and "weight" not in extra))

    def pull_edges(self) -> None:
        how = self.c.choice([r for r in PULL_REDUCTIONS if r not in ("mode", *BEST_NEIGHBOUR)])
        e = self.summable(self.pick((EDGE,)), how)
        if e is None:
            return
        expr = f"sG.pull_edges({e.name}, reduce={how!r})"
        if how in ("sum", "min", "max"):
            expr = self.bounded(expr, _reduced_dtype(e.dtype, how))
        self.emit(expr, exact=how in ("min", "max") and e.exact)

    def gather(self) -> None:
        x = self.pick((NODE,))
        index = self.pick((NODE,), (DType.I64,))
        if x is not None and index is not None:
            self.emit(f"{x.name}[{index.name}]", x.exact)

    def scatter(self) -> None:
        how = self.c.choice(["min", "max", "add"])
        x = self.pick((NODE,))
        index = self.pick((NODE,), (DType.I64,))
        if x is None or index is None:
            return
        allowed = [d for d in DType if d.rank <= x.dtype.rank]
        values = self.operand((NODE, SCALAR), tuple(allowed))
        if values is not None:
            # both sides fold in node order, so even float sums agree bit for bit
            expr = f"{x.name}.scatter_{how}({index.name}, {values.text})"
            self.emit(self.bounded(expr, x.dtype) if how == "add" else expr,
                      x.exact and values.exact)

    def normalize(self) -> None:
        method = self.c.choice(["sum", "max", "l2"])
        a = self.pick(MAPS if self.limits.edges else (NODE,))
        if a is not None and a.dtype is DType.F64 and method in ("sum", "l2"):
            a = self.quantized(a)
        if a is None:
            return
        if self.c.integer(0, 1):
            self.emit(f"{a.name}.normalize({method!r})", False)
        else:
            self.emit(f"b.normalize({a.name}, {method!r})", False)

    # --- loops ----------------------------------------------------------------------------
    def loop(self, depth: int) -> None:
        # Carries: values from before the loop, not literal constants.
        inits: list[Item] = []
        for _ in range(self.c.integer(1, 3)):
            kinds = tuple(k for k in self.kinds
                          if not (k is EDGE and "carried edge maps" in AVOID))
            item = self.pick(kinds, accept=lambda it: it.value.node.op != "const" and all(
                it.value.node_id != i.value.node_id for i in inits))
            if item is not None:
                inits.append(item)
        if not inits:
            return
        bound = self.loop_bound()
        if bound is None:
            return
        kind = self.c.choice(["fixed", "converge", "while_any"])
        if kind == "while_any":
            mask = self.pick((NODE,), (DType.BOOL,), accept=lambda it: it.value.node.op != "const")
            if mask is None or any(mask.value.node_id == i.value.node_id for i in inits[1:]):
                kind = "fixed"
            else:
                inits[0] = mask
                bound = bound if self.c.integer(0, 3) else "None"
                header = f"b.while_any({mask.name}, max_iter={bound})"
        if kind == "converge":
            watch = inits[0]
            norm = self.c.choice(["l1", "linf"])
            if norm == "l1" and watch.kind is not SCALAR:
                watch = self.quantized(watch)
                if watch is None:
                    return
                inits[0] = watch
            tol = self.c.choice(["0.0", "1e-3", "0.5", "2.0", "param"])
            if tol == "param":
                p = self.param(DType.F64) if self.limits.params else None
                tol = p.name if p is not None else "0.5"
            header = (f"b.until_converged({watch.name}, tol={tol}, max_iter={bound}, "
                      f"norm={norm!r})")
        elif kind == "fixed":
            header = f"b.iterate({bound})"
        label = f"L{self.loop_counter}"
        self.loop_counter += 1
        context = eval(header, {"float": float}, self.ns)
        self.ns[label] = context
        self.write(f"with {header} as {label}:")
        self.indent += 1
        outer = list(self.pool)
        results = []
        _enter(context)
        try:
            self.block(self.c.integer(0, self.limits.body_steps), depth + 1)
            body = [it for it in self.pool if it not in outer]
            for init in inits:
                nxt = self.next_value(init, body) or init
                handle = context.set(init.value, nxt.value)
                name = self.fresh()
                self.ns[name] = handle
                self.write(f"{name} = {label}.set({init.name}, {nxt.name})")
                results.append(Item(handle, name, init.exact and nxt.exact))
        finally:
            _exit(context)
            self.indent -= 1
        self.pool = outer + results

    def loop_bound(self) -> str | None:
        form = self.c.integer(0, 3)
        if form == 1 and self.limits.params:
            p = self.param(DType.I64)
            return p and p.name
        if form == 2:
            s = self.pick((SCALAR,), (DType.I64, DType.BOOL))
            if s is not None and s.dtype is DType.BOOL:
                return s.name
            if s is not None:
                t = self.emit(f"{s.name}.clip(-1, {self.limits.max_iter})", True)
                return t and t.name
        return str(self.c.integer(0, self.limits.max_iter))

    def next_value(self, init: Item, body: list[Item]) -> Item | None:
        """A value of ``init``'s type for the next iteration, preferring body values."""
        same = [it for it in body if it.type == init.type]
        if same and self.c.integer(0, 3):
            nxt = same[len(same) - 1 - self.c.integer(0, len(same) - 1)]
        else:
            pool = body or self.pool
            nxt = self.converted(pool[len(pool) - 1 - self.c.integer(0, len(pool) - 1)],
                                 init.type)
        if nxt is not None and init.exact and not nxt.exact:
            nxt = self.quantized(nxt)
        return nxt

    def converted(self, item: Item, target) -> Item | None:
        """``item`` turned into a value of type ``target``: kind first, then dtype."""
        how = "any" if item.dtype is DType.BOOL else "max"
        if item.kind is not target.kind and target.kind is SCALAR:
            item = self.emit(self.bounded(f"{item.name}.reduce({how!r})", item.dtype),
                             item.exact)
        elif item.kind is EDGE:                               # edge map -> node map
            item = self.emit(self.bounded(f"sG.pull_edges({item.name}, reduce={how!r})",
                                          item.dtype), item.exact)
        elif item.kind is SCALAR and target.kind is not SCALAR:
            item = self.emit(f"b.init_nodes({item.name})", item.exact)
        if item is not None and item.kind is NODE and target.kind is EDGE:
            item = self.emit(f"sG.src({item.name})", item.exact)
        if item is None or item.dtype is target.dtype:
            return item
        if target.dtype is DType.I64 and item.dtype is DType.F64:
            return self.to_int(item)
        return self.emit(f"{item.name}.astype({target.dtype.value!r})", item.exact)

    # --- the whole program ------------------------------------------------------------------
    def generate(self) -> Program:
        self.block(self.c.integer(1, self.limits.steps), 0)
        if not self.pool:
            self.emit("b.init_nodes(1.0)", True)
        users = self.b.ir.users()
        unused = [it for it in self.pool if not users[it.value.node_id]]
        for j in range(self.c.integer(1, self.limits.outputs)):
            # Mostly values nothing else reads, so that most of the program is live.
            options = unused if unused and self.c.integer(0, 3) else self.pool
            item = options[len(options) - 1 - self.c.integer(0, len(options) - 1)]
            self.b.attach_as(f"out{j}", item.value)
            self.write(f"b.attach_as('out{j}', {item.name})")
        algorithm = self.b.build()
        self.write("algo = b.build()")
        overrides = {name: kind if isinstance(kind, Varied) else self.param_value(kind)
                     for name, kind in self.params.items() if self.c.integer(0, 2) == 0}
        return Program(algorithm, "\n".join(self.lines), overrides)


def _reduced_dtype(dtype: DType, how: str) -> DType:
    if (how == "sum" and dtype is DType.BOOL) or how in BEST_NEIGHBOUR:
        return DType.I64
    return dtype


def _enter(context) -> None:
    # Called from a frame without traced values in its locals: the loop must not find
    # carries by name here, only the explicit ``set()`` calls.
    context.__enter__()


def _exit(context) -> None:
    context.__exit__(None, None, None)


def rebuild(code: str) -> gj.Algorithm:
    """Run a program's recorded builder code and return the algorithm it builds."""
    namespace: dict[str, object] = {"gj": gj}
    exec(code, namespace)
    return namespace["algo"]


def generate_program(choices, limits: Limits = Limits()) -> Program:
    return ProgramGenerator(choices, limits).generate()


def build_program(draw, limits: Limits = Limits()) -> gj.Algorithm:
    """A random well-typed algorithm from hypothesis' ``draw`` (its code is noted)."""
    program = generate_program(HypothesisChoices(draw), limits)
    note(program.code)
    return program.algorithm


@st.composite
def programs(draw, limits: Limits = Limits()) -> Program:
    """Random programs with their builder code and parameter overrides."""
    program = generate_program(HypothesisChoices(draw), limits)
    note(repr(program))
    return program


def program_from_seed(seed: int, limits: Limits = Limits()) -> Program:
    """The same random program for the same seed, without hypothesis."""
    return generate_program(RandomChoices(seed), limits)
