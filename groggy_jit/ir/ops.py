"""Every IR op, declared once: type rule, numpy meaning, lowering, cost and traits.

Each ``OpDef`` says what an op is, and every stage asks it instead of testing
the op's name: the interpreter and constant folding call ``evaluate`` (whose
helpers live in ``ir/semantics.py``), codegen calls ``lower`` / ``lower_member``
/ ``lower_pass`` (helpers in ``ir/lowering.py``), ``estimate_performance``
calls ``cost``, and passes, liveness, fusion and the verifier read the traits.
Reductions are objects of their own (``ir/monoids.py``) that pulls and
``reduce`` share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..errors import IRError, KindError
from . import lowering, semantics
from .monoids import NEIGHBOUR_REDUCTIONS, pull_reduction, reduction
from .types import MISSING, DType, Kind, Type, broadcast, promote

F64, I64, BOOL = DType.F64, DType.I64, DType.BOOL

CONST = "const"          # the op of a literal value (constant folding makes them)

# Storage kinds: ops that name storage rather than compute a value.
ARGUMENT = "argument"    # a kernel argument (param, node_param, pair_param)
CARRY = "carry"          # a loop-carried value inside the loop body
RESULT = "result"        # a carried value's final value, after its loop

# How loop-invariant code motion treats an op inside a loop.
STAYS = "stays"          # never moved out (storage, loops, constants)
SCALAR_ONLY = "scalar"   # moved out when it is a scalar
ALWAYS = "always"        # moved out as a node map too: dearer to recompute than to reload


def _no_gathers(node) -> tuple[str, ...]:
    return ()


def _never(node) -> bool:
    return False


@dataclass(frozen=True)
class OpDef:
    """One op.  ``evaluate(ev, node, inputs, types)`` is its numpy meaning, with ``ev``
    giving ``g`` (the graph), ``n`` and ``params``; the lowering rules get the code
    generator; ``cost(model, node, row)`` adds its bytes and operations to a row of
    ``estimate_performance``."""
    name: str
    category: str   # elementwise | source | graph | edge | pull | reduce | loop | scatter | neighbourhood | pair
    arity: int                         # number of inputs, -1 when variable
    infer: Callable[[tuple[Type, ...], dict], Type]
    evaluate: Callable | None = None
    lower: Callable | None = None          # (e, node, read) -> the value at the element
    lower_member: Callable | None = None   # (e, node): statements in a fused loop
    lower_pass: Callable | None = None     # (e, node): a pass of its own
    lower_setup: Callable | None = None    # (e, node): set-up before the first step
    cost: Callable | None = None
    numpy: Callable | None = None      # elementwise: reference meaning on arrays/scalars
    emit: Callable[..., str] | None = None   # elementwise: (operand expressions, attrs) -> expression
    # the dtype each operand is cast to before the op, from operand and result types
    operand_casts: Callable | None = None
    attrs: tuple[str, ...] = field(default=())
    # --- traits ---------------------------------------------------------------------
    pure: bool = True                  # no effects: may be merged, moved or dropped
    commutative: bool = False
    leaf: bool = False                 # a scalar written where it is used, never a statement
    storage: str | None = None         # ARGUMENT | CARRY | RESULT, or None: computes a value
    hoist: str = SCALAR_ONLY           # STAYS | SCALAR_ONLY | ALWAYS
    own_pass: str | None = None        # "parallel" | "serial": never fused with other ops
    positional: bool = False           # its value at node p is p: readers compute it
    uniform: bool = False              # every node holds its one scalar input: readers use it
    whole_arrays: bool = False         # reads its inputs as whole arrays (not at one node)
    region: bool = False               # owns a region of body nodes: a loop
    typed_by_loop: bool = False        # its type is its loop carry's (checked with the loop)
    runs_on_input: bool = False        # runs over its input's domain (reduce, pull_edges)
    arc_reduction: bool = False        # reduces each node's arcs in an edge group's arc loop
    gathered: Callable[..., tuple[str, ...]] = _no_gathers   # inputs read at other nodes
    reads_weights: Callable[..., bool] = _never

    @property
    def elementwise(self) -> bool:
        return self.category == "elementwise"

    @property
    def read_anywhere(self) -> bool:
        """Its value at any node is known without its array (positional or uniform)."""
        return self.positional or self.uniform


OPS: dict[str, OpDef] = {}


def _register(op: OpDef) -> OpDef:
    if op.name in OPS:
        raise ValueError(f"op {op.name!r} defined twice")
    OPS[op.name] = op
    return op


def op_def(name: str) -> OpDef:
    try:
        return OPS[name]
    except KeyError:
        raise IRError(f"unknown op {name!r}") from None


def positions(*indices: int):
    """A ``gathered`` rule: the inputs at these positions are read at other nodes."""
    return lambda node: tuple(node.inputs[i] for i in indices)


# --- the elementwise meaning, lowering and cost, shared by every elementwise op --------

def _same_casts(operand_dtype):
    return lambda ts, result: [operand_dtype(ts)] * len(ts)


def evaluate_elementwise(ev, node, values, types):
    """An elementwise op on numpy scalars/arrays, operands cast as the op says."""
    definition = OPS[node.op]
    casts = definition.operand_casts(tuple(types), node.type)
    values = [v if t is None else semantics.cast(v, t.numpy) for v, t in zip(values, casts)]
    with np.errstate(all="ignore"):
        out = definition.numpy(*values, **node.attr_dict)
    return semantics.as_result(out, node.type.dtype)


def _lower_elementwise(e, node, read):
    return OPS[node.op].emit(*e.operands(node, read), **node.attr_dict)


def map_cost(model, node, row) -> None:
    """One operation per node; inputs not computed in the same loop are read once."""
    for i in node.inputs:
        if i not in model.members:
            model.read_value(i)
    row.ops += model.n


# --- elementwise ---------------------------------------------------------------

def _arith_dtype(ts):                   # bool arithmetic is integer arithmetic
    return promote(I64, *(t.dtype for t in ts))


def _float_dtype(ts):
    return F64


def _compare_dtype(ts):
    return promote(*(t.dtype for t in ts))


def _bool_operands(name):
    def rule(ts):
        bad = [str(t) for t in ts if t.dtype is not BOOL]
        if bad:
            raise KindError(f"{name} needs bool operands, got {', '.join(bad)}; "
                            "compare first, e.g. (x > 0)")
        return BOOL
    return rule


def _elementwise(name, arity, numpy_fn, emit, operand_dtype, result=None,
                 commutative=False, expensive=False):
    def infer(ts, attrs):
        kind = broadcast(*(t.kind for t in ts))
        dtype = operand_dtype(ts) if result is None else result
        return Type(kind, dtype)
    return _register(OpDef(name, "elementwise", arity, infer, evaluate_elementwise,
                           _lower_elementwise, cost=map_cost, numpy=numpy_fn, emit=emit,
                           operand_casts=_same_casts(operand_dtype), commutative=commutative,
                           hoist=ALWAYS if expensive else SCALAR_ONLY))


def _binary(symbol):
    return lambda a, b, **_: f"({a} {symbol} {b})"


def _call(fn):
    return lambda *args, **_: f"{fn}({', '.join(args)})"


_elementwise("add", 2, np.add, _binary("+"), _arith_dtype, commutative=True)
_elementwise("sub", 2, np.subtract, _binary("-"), _arith_dtype)
_elementwise("mul", 2, np.multiply, _binary("*"), _arith_dtype, commutative=True)
_elementwise("div", 2, np.true_divide, _call("np.divide"), _float_dtype, expensive=True)
_elementwise("floordiv", 2, np.floor_divide, _call("np.floor_divide"), _arith_dtype, expensive=True)
_elementwise("mod", 2, np.remainder, _call("np.remainder"), _arith_dtype, expensive=True)
_elementwise("pow", 2, np.power, _call("np.power"), _float_dtype, expensive=True)
_elementwise("minimum", 2, np.minimum, _call("np.minimum"), _arith_dtype, commutative=True)
_elementwise("maximum", 2, np.maximum, _call("np.maximum"), _arith_dtype, commutative=True)
_elementwise("neg", 1, np.negative, lambda a, **_: f"(-{a})", _arith_dtype)
_elementwise("abs", 1, np.abs, _call("abs"), _arith_dtype)
_elementwise("sqrt", 1, np.sqrt, _call("np.sqrt"), _float_dtype, expensive=True)
_elementwise("exp", 1, np.exp, _call("np.exp"), _float_dtype, expensive=True)
_elementwise("log", 1, np.log, _call("np.log"), _float_dtype, expensive=True)
for _name, _np, _sym in [("lt", np.less, "<"), ("le", np.less_equal, "<="),
                         ("gt", np.greater, ">"), ("ge", np.greater_equal, ">="),
                         ("eq", np.equal, "=="), ("ne", np.not_equal, "!=")]:
    _elementwise(_name, 2, _np, _binary(_sym), _compare_dtype, result=BOOL,
                 commutative=_name in ("eq", "ne"))
_elementwise("and", 2, np.logical_and, _binary("and"), _bool_operands("&"), commutative=True)
_elementwise("or", 2, np.logical_or, _binary("or"), _bool_operands("|"), commutative=True)
_elementwise("not", 1, np.logical_not, lambda a, **_: f"(not {a})", _bool_operands("~"))


def _where_numpy(c, a, b):
    return np.where(c, a, b)


def _where_infer(ts, attrs):
    if ts[0].dtype is not BOOL:
        raise KindError(f"where() needs a bool condition, got {ts[0]}; compare first, e.g. (x > 0)")
    return Type(broadcast(*(t.kind for t in ts)), promote(ts[1].dtype, ts[2].dtype))


_register(OpDef("where", "elementwise", 3, _where_infer, evaluate_elementwise,
                _lower_elementwise, cost=map_cost, numpy=_where_numpy,
                emit=lambda c, a, b, **_: f"({a} if {c} else {b})",
                operand_casts=lambda ts, result: [BOOL, result.dtype, result.dtype]))


def _cast_infer(ts, attrs):
    return Type(ts[0].kind, DType(attrs["dtype"]))


def _cast_numpy(x, *, dtype):
    return np.asarray(x).astype(DType(dtype).numpy)


_CAST_EMIT = {"f64": "np.float64", "i64": "np.int64", "bool": "np.bool_"}
_register(OpDef("cast", "elementwise", 1, _cast_infer, evaluate_elementwise,
                _lower_elementwise, cost=map_cost, numpy=_cast_numpy,
                emit=lambda a, *, dtype: f"{_CAST_EMIT[dtype]}({a})",
                operand_casts=lambda ts, result: [None], attrs=("dtype",)))


# --- sources: values that come from constants, parameters and the graph -------

def _scalar_of(attrs):
    return Type(Kind.SCALAR, DType(attrs["dtype"]))


def _leaf(name, infer, evaluate, lower, **traits):
    _register(OpDef(name, "source", 0, infer, evaluate, lower, leaf=True, **traits))


def _numpy_type(node):
    return node.type.dtype.numpy.type


_leaf("const", lambda ts, a: _scalar_of(a),
      lambda ev, node, inputs, types: _numpy_type(node)(node.attr("value")),
      lambda e, node, read: lowering.literal(node.attr("value"), node.type.dtype),
      attrs=("value", "dtype"), hoist=STAYS)
_leaf("param", lambda ts, a: _scalar_of(a),
      lambda ev, node, inputs, types: _numpy_type(node)(ev.params[node.attr("name")]),
      lambda e, node, read: e.plan.names[node.id],
      attrs=("name", "dtype"), storage=ARGUMENT, hoist=STAYS)
_leaf("num_nodes", lambda ts, a: Type(Kind.SCALAR, I64),
      lambda ev, node, inputs, types: np.int64(ev.n), lambda e, node, read: "n")
_leaf("num_edges", lambda ts, a: Type(Kind.SCALAR, I64),
      lambda ev, node, inputs, types: np.int64(ev.g.num_edges), lambda e, node, read: "m")
_leaf("is_directed", lambda ts, a: Type(Kind.SCALAR, BOOL),
      lambda ev, node, inputs, types: np.bool_(ev.g.directed), lambda e, node, read: "directed")

# a node's own index: its value at node p is p, so readers compute it instead of loading it
_register(OpDef("node_index", "graph", 0, lambda ts, a: Type(Kind.NODE, I64),
                lambda ev, node, inputs, types: np.arange(ev.n, dtype=np.int64),
                lambda e, node, read: "np.int64(i)", cost=map_cost, positional=True))
# one value per node, given by the caller: its array is the kernel argument itself
_register(OpDef("node_param", "graph", 0, lambda ts, a: Type(Kind.NODE, DType(a["dtype"])),
                lambda ev, node, inputs, types: np.asarray(ev.params[node.attr("name")],
                                                           dtype=node.type.dtype.numpy),
                attrs=("name", "dtype"), storage=ARGUMENT, hoist=STAYS))


def _degree_cost(model, node, row) -> None:
    for d in model.directions(node.attr("over")):
        model.read(model.edge_array(d, "indptr"), "index", model.isz * (model.n + 1))
    row.ops += model.n


_register(OpDef("degree", "graph", 0, lambda ts, a: Type(Kind.NODE, I64),
                lambda ev, node, inputs, types: semantics.degree(ev.g, node.attr("over")),
                lambda e, node, read: lowering.degree(node.attr("over")), cost=_degree_cost,
                attrs=("over",), hoist=ALWAYS))


def _fill_infer(ts, attrs):
    if ts[0].kind is not Kind.SCALAR:
        raise KindError(f"fill needs a scalar value, got {ts[0]}")
    return Type(Kind.NODE, ts[0].dtype)


# every node the same scalar
_register(OpDef("fill", "graph", 1, _fill_infer,
                lambda ev, node, inputs, types: np.full(ev.n, inputs[0],
                                                        dtype=node.type.dtype.numpy),
                lambda e, node, read: read(node.inputs[0]), cost=map_cost, uniform=True))


# --- neighbourhood and scalar reductions ---------------------------------------

DIRECTIONS = ("in", "out", "both")


WEIGHT_COMBINE = ("mul", "add")      # (sum, x) and (min, +) semirings


def pull_operands(inputs: tuple, attrs: dict) -> tuple:
    """A pull's (values, source mask or None, target mask or None) from its inputs."""
    at = inputs[-1] if attrs.get("at") else None
    rest = inputs[:-1] if at is not None else inputs
    if len(rest) not in (1, 2):
        raise KindError(f"pull takes 1 or 2 inputs besides at=, got {len(rest)}")
    return rest[0], (rest[1] if len(rest) > 1 else None), at


def _pull_infer(ts, attrs):
    x, mask, at = pull_operands(ts, attrs)
    if x.kind is not Kind.NODE:
        raise KindError(f"pull() needs a node map, got {x}")
    if mask is not None and (mask.kind is not Kind.NODE or mask.dtype is not BOOL):
        raise KindError(f"pull(mask=...) needs a bool node map, got {mask}")
    if at is not None and (at.kind is not Kind.NODE or at.dtype is not BOOL):
        raise KindError(f"pull(at=...) needs a bool node map, got {at}")
    if attrs["over"] not in DIRECTIONS:
        raise KindError(f"pull over={attrs['over']!r}: use one of {', '.join(DIRECTIONS)}")
    first = attrs.get("first")
    if first is not None and not (isinstance(first, int) and first >= 1):
        raise KindError(f"pull first={first!r}: use a positive int")
    name = attrs["reduce"]
    weighted = attrs.get("weight") is not None
    if weighted and attrs.get("combine") not in WEIGHT_COMBINE:
        raise KindError(f"pull combine={attrs.get('combine')!r}: use one of {', '.join(WEIGHT_COMBINE)}")
    red = pull_reduction(name)
    if red.numbers_only and x.dtype is BOOL:
        raise KindError(f"pull(reduce={name!r}) needs numbers, got a bool node map")
    if weighted and not red.weighted:
        raise KindError(f"pull(reduce={name!r}) does not take weights")
    dtype = promote(x.dtype, F64) if weighted else x.dtype
    return Type(Kind.NODE, red.pull_result(dtype))


def _pull_evaluate(ev, node, inputs, types):
    x, mask, at = pull_operands(inputs, node.attr_dict)
    target, source, gathered = semantics.pulled(ev.g, x, mask, at, node.attr("over"),
                                                node.attr("weight"), node.attr("combine"),
                                                node.attr("first"))
    return pull_reduction(node.attr("reduce")).pull_numpy(x, target, source, gathered,
                                                          node.type.dtype)


def _pull_cost(model, node, row) -> None:
    source, mask, _ = pull_operands(node.inputs, node.attr_dict)
    item = model.ir.node_map[source].type.dtype.numpy.itemsize
    scratch = pull_reduction(node.attr("reduce")).scratch
    first = node.attr("first")
    arcs = model.m if first is None else min(model.m, first * model.n)
    for d in model.directions(node.attr("over")):
        model.read(model.edge_array(d, "indptr"), "index", model.isz * (model.n + 1))
        model.read(model.edge_array(d, "indices"), "index", model.isz * arcs)
        if node.attr("weight"):
            model.read(model.edge_array(d, "weights"), "index", 8 * arcs)
        row.bytes["gather"] += item * arcs
        if mask is not None:
            row.bytes["gather"] += DType.BOOL.numpy.itemsize * arcs
        if scratch:
            row.bytes["scratch"] += 2 * item * arcs
        row.ops += arcs


def _pull_setup(e, node) -> None:
    if pull_reduction(node.attr("reduce")).scratch:
        lowering.mode_scratch(e, node)


def _pull_gathered(node) -> tuple[str, ...]:
    x, mask, _ = pull_operands(node.inputs, node.attr_dict)
    return tuple(i for i in (x, mask) if i is not None)


# inputs: the gathered values, optionally a bool mask of the sources to read, and with
# attribute ``at`` a bool mask of the targets computed (read at the target itself)
_register(OpDef("pull", "pull", -1, _pull_infer, _pull_evaluate,
                lower_member=lambda e, node: pull_reduction(node.attr("reduce")).lower_pull(e, node),
                lower_setup=_pull_setup, cost=_pull_cost, attrs=("over", "reduce"),
                hoist=ALWAYS, gathered=_pull_gathered,
                reads_weights=lambda node: node.attr("weight") is not None))


# --- reading and writing other nodes by index ------------------------------------

def _gather_infer(ts, attrs):
    x, index = ts
    if x.kind is not Kind.NODE or index.kind not in (Kind.NODE, Kind.PAIR) \
            or index.dtype is not I64:
        raise KindError(f"x[index] needs a node map x and an i64 node or pair map index, got "
                        f"{x} and {index}")
    return Type(index.kind, x.dtype)


# y[i] = x[index[i]]; an index outside 0..n-1 reads the dtype's missing value.  With a
# pair map of node indices (a pair's end), x at that end of every pair.
_register(OpDef("gather", "gather", 2, _gather_infer,
                lambda ev, node, inputs, types: semantics.gather(
                    *inputs, MISSING[node.type.dtype], node.type.dtype),
                lower_member=lowering.gather, cost=map_cost, gathered=positions(0)))


SCATTER_REDUCTIONS = ("min", "max", "sum")


def _scatter_infer(ts, attrs):
    x, index, values = ts
    how = attrs["reduce"]
    if how not in SCATTER_REDUCTIONS:
        raise KindError(f"scatter reduce={how!r}: use one of {', '.join(SCATTER_REDUCTIONS)}")
    if x.kind is not Kind.NODE or index.kind is not Kind.NODE or index.dtype is not I64:
        raise KindError(f"scatter_{how} needs node maps (x, i64 index, values), got {x}, {index}")
    if values.kind is Kind.EDGE:
        raise KindError(f"scatter_{how} values must be a node map or a scalar")
    if promote(x.dtype, values.dtype) is not x.dtype:
        raise KindError(f"scatter_{how} would change {x} to {values.dtype.value}; cast first")
    if how == "sum" and x.dtype is BOOL:
        raise KindError("scatter_add needs numbers, got a bool node map; cast it first")
    return x


# out = copy of x; out[index[i]] = reduce(out[index[i]], values[i]) for i = 0, 1, ... in one
# serial pass (so float sums are added in node order).
def _scatter_cost(model, node, row) -> None:
    row.ops += model.n
    row.bytes["copy"] += 2 * model.size(node.id)
    row.bytes["read"] += sum(model.size(i) for i in node.inputs[1:]
                             if model.ir.node_map[i].type.kind is not Kind.SCALAR)
    row.bytes["gather"] += 2 * model.size(node.id)     # read-modify-write at index


_register(OpDef("scatter", "scatter", 3, _scatter_infer,
                lambda ev, node, inputs, types: semantics.scatter(
                    *inputs, reduction(node.attr("reduce")), node.type.dtype),
                lower_pass=lambda e, node: lowering.scatter(e, node, reduction(node.attr("reduce"))),
                cost=_scatter_cost, attrs=("reduce",), own_pass="serial", whole_arrays=True))


# --- edge maps: one value per arc, in the order of the in-CSR (arcs grouped by target) ---

def _to_edges(ts, attrs):
    (x,) = ts
    if x.kind is not Kind.NODE:
        raise KindError(f"src()/dst() need a node map, got {x}")
    return Type(Kind.EDGE, x.dtype)


# x at the arc's source, and at its target
_register(OpDef("src", "edge", 1, _to_edges,
                lambda ev, node, inputs, types: inputs[0][semantics.arc_sources(ev.g)],
                lambda e, node, read: e.value_at(node.inputs[0], "in_indices[k]"),
                cost=map_cost, gathered=positions(0)))
_register(OpDef("dst", "edge", 1, _to_edges,
                lambda ev, node, inputs, types: inputs[0][semantics.arc_targets(ev.g)],
                lambda e, node, read: e.value_at(node.inputs[0], "i"),
                cost=map_cost, gathered=positions(0)))
_register(OpDef("edge_weight", "edge", 0, lambda ts, a: Type(Kind.EDGE, F64),
                lambda ev, node, inputs, types: semantics.edge_weights(ev.g),
                lambda e, node, read: "in_weights[k]", cost=map_cost,
                reads_weights=lambda node: True))


def _common_neighbors_cost(model, node, row) -> None:
    # a short neighbour list scanned per arc (its length depends on the graph: counted as
    # one read of the lists), then a copy
    row.ops += 2 * model.m
    row.bytes["index"] += 2 * model.isz * (model.n + 1 + model.m)
    row.bytes["write"] += model.size(node.id)


# |N(u) ∩ N(v)| for the arc u -> v over out-neighbour lists, u and v themselves excluded
_register(OpDef("common_neighbors", "neighbourhood", 0, lambda ts, a: Type(Kind.EDGE, I64),
                lambda ev, node, inputs, types: semantics.common_neighbors(ev.g),
                lower_pass=lowering.common_neighbors, cost=_common_neighbors_cost,
                own_pass="parallel", hoist=ALWAYS))


def _triangles_cost(model, node, row) -> None:
    # the lists read twice to build the forward lists, then each forward list scanned
    # once per arc into it (counted as one more read of the lists)
    row.ops += 3 * model.m
    row.bytes["index"] += 3 * model.isz * (model.n + 1 + model.m)
    row.bytes["write"] += model.size(node.id)


def _triangles_infer(ts, attrs):
    if not isinstance(attrs["once"], bool):
        raise KindError(f"triangles(once=) takes True or False, got {attrs['once']!r}")
    return Type(Kind.NODE, I64)


# the triangles through every node of an undirected graph, over out-neighbour lists
# without duplicates, self loops ignored (networkx.triangles); once=True credits each
# triangle to one node only, its lowest by (list length, id): they sum to the total
_register(OpDef("triangles", "neighbourhood", 0, _triangles_infer,
                lambda ev, node, inputs, types: semantics.triangles(ev.g, node.attr("once")),
                lower_pass=lowering.triangles, cost=_triangles_cost, attrs=("once",),
                own_pass="parallel", hoist=ALWAYS))


def _of_edge_map(name, result: Type | None):
    """The type rule of an op on one edge map: ``result`` (None: the edge map's type)."""
    def infer(ts, attrs):
        (e,) = ts
        if e.kind is not Kind.EDGE:
            raise KindError(f"{name}() needs an edge map, got {e}")
        return e if result is None else result
    return infer


def _triangle_weights_cost(model, node, row) -> None:
    _common_neighbors_cost(model, node, row)
    row.bytes["gather"] += 3 * model.size(node.inputs[0])


# for the arc j -> i: Σ cbrt(e[j -> i] e[x -> j] e[x -> i]) over the nodes x other than
# i and j with arcs to both, in increasing x (networkx's weighted clustering of i)
_register(OpDef("triangle_weights", "neighbourhood", 1,
                _of_edge_map("triangle_weights", Type(Kind.EDGE, F64)),
                lambda ev, node, inputs, types: semantics.triangle_weights(ev.g, inputs[0]),
                lower_pass=lowering.triangle_weights, cost=_triangle_weights_cost,
                own_pass="parallel", hoist=ALWAYS, whole_arrays=True))


def _reverse_arcs_cost(model, node, row) -> None:
    row.ops += model.m                                 # a binary search per arc
    row.bytes["index"] += model.isz * (model.n + 1 + model.m)
    row.bytes["gather"] += model.size(node.inputs[0])
    row.bytes["write"] += model.size(node.id)


# for the arc j -> i: e at the arc i -> j, the dtype's missing value where there is none
_register(OpDef("reverse_arcs", "neighbourhood", 1, _of_edge_map("reverse_arcs", None),
                lambda ev, node, inputs, types: semantics.reverse_arcs(
                    ev.g, inputs[0], MISSING[node.type.dtype]),
                lower_pass=lowering.reverse_arcs, cost=_reverse_arcs_cost,
                own_pass="parallel", hoist=ALWAYS, whole_arrays=True))


def _directed_triangle_weights_cost(model, node, row) -> None:
    _triangle_weights_cost(model, node, row)
    row.ops += 2 * model.m                             # both directions of every list


# for node i: Σ c_ij c_ik c_jk over the ordered pairs (j, k) of distinct other nodes,
# c_xy = cbrt(e[x -> y]) + cbrt(e[y -> x]) (0 for a missing arc): networkx's weighted
# directed triangles (the cube root of each product, as a product of cube roots)
_register(OpDef("directed_triangle_weights", "neighbourhood", 1,
                _of_edge_map("directed_triangle_weights", Type(Kind.NODE, F64)),
                lambda ev, node, inputs, types: semantics.directed_triangle_weights(
                    ev.g, inputs[0]),
                lower_pass=lowering.directed_triangle_weights,
                cost=_directed_triangle_weights_cost, own_pass="parallel", hoist=ALWAYS,
                whole_arrays=True))


# --- pair maps: one value per node pair of the algorithm's pair-list parameter ---------

# the caller's (k, 2) array of node indices, read only through pair_end
_register(OpDef("pair_param", "pair", 0, lambda ts, a: Type(Kind.PAIR, I64),
                lambda ev, node, inputs, types: np.asarray(ev.params[node.attr("name")],
                                                           dtype=np.int64).reshape(-1, 2),
                attrs=("name", "dtype"), storage=ARGUMENT, hoist=STAYS))


def _pair_end_infer(ts, attrs):
    (pairs,) = ts
    if pairs.kind is not Kind.PAIR or attrs["end"] not in (0, 1):
        raise KindError(f"pair_end needs the pair list and end 0 or 1, got {pairs} and "
                        f"end={attrs['end']!r}")
    return Type(Kind.PAIR, I64)


# the node index at one end (0: u, 1: v) of every pair
_register(OpDef("pair_end", "pair", 1, _pair_end_infer,
                lambda ev, node, inputs, types: np.ascontiguousarray(inputs[0][:, node.attr("end")]),
                lambda e, node, read: f"np.int64({e.slot(node.inputs[0])}[{e.at}, {node.attr('end')}])",
                cost=map_cost, attrs=("end",), whole_arrays=True))

PAIR_ENDS = ("excluded", "included")


def _pair_common_infer(ts, attrs):
    u, v, x = ts
    if any(t.kind is not Kind.PAIR or t.dtype is not I64 for t in (u, v)):
        raise KindError(f"common neighbours of pairs need two i64 pair maps of node indices, "
                        f"got {u} and {v}")
    if x.kind is not Kind.NODE:
        raise KindError(f"common neighbours of pairs sum a node map, got {x}")
    if attrs["ends"] not in PAIR_ENDS:
        raise KindError(f"ends={attrs['ends']!r}: use one of {', '.join(PAIR_ENDS)}")
    return Type(Kind.PAIR, I64 if x.dtype is BOOL else x.dtype)


def _pair_common_cost(model, node, row) -> None:
    # a merge of the two ends' neighbour lists per pair: counted as one read of the lists
    row.ops += 2 * model.m
    row.bytes["index"] += 2 * model.isz * (model.n + 1 + model.m)
    row.bytes["gather"] += model.size(node.inputs[2])


# for pair (u, v): Σ x[w] over the common out-neighbours w of u and v, in increasing w;
# ends="excluded" leaves out w = u and w = v (networkx.common_neighbors); an end outside
# 0..n-1 has no neighbours
_register(OpDef("pair_common", "pair", 3, _pair_common_infer,
                lambda ev, node, inputs, types: semantics.pair_common(
                    ev.g, *inputs, node.attr("ends") == "included", node.type.dtype),
                lower_member=lowering.pair_common, cost=_pair_common_cost, attrs=("ends",),
                hoist=ALWAYS, gathered=positions(2)))


def _pull_edges_infer(ts, attrs):
    (e,) = ts
    if e.kind is not Kind.EDGE:
        raise KindError(f"pull_edges() needs an edge map, got {e}; use pull() for node maps")
    if attrs["reduce"] in NEIGHBOUR_REDUCTIONS:
        raise KindError("pull_edges() reduces with sum, min, max, any, all, count or mean; "
                        f"not {attrs['reduce']!r}")
    return Type(Kind.NODE, reduction(attrs["reduce"]).result(e.dtype))


def _pull_edges_member(e, node) -> None:
    """Inside an edge group's arc loop: fold the arc's value into the node's result."""
    red = reduction(node.attr("reduce"))
    name = e.plan.names[node.id]
    e.w.line(red.update_statement(name, e.element(node.inputs[0])))
    if red.needs_count:
        e.w.line(f"count_{name} += 1")


# y[v] = reduce(e[arc] for every arc u -> v)
_register(OpDef("pull_edges", "edge", 1, _pull_edges_infer,
                lambda ev, node, inputs, types: semantics.reduce_rows(
                    inputs[0], semantics.arc_targets(ev.g), reduction(node.attr("reduce")),
                    ev.n, node.type.dtype),
                lower_member=_pull_edges_member, cost=map_cost, attrs=("reduce",),
                runs_on_input=True, arc_reduction=True))


def _reduce_infer(ts, attrs):
    (x,) = ts
    if x.kind is Kind.SCALAR:
        raise KindError(f"reduce() needs a node or edge map, got {x}")
    return Type(Kind.SCALAR, reduction(attrs["reduce"]).result(x.dtype))


_register(OpDef("reduce", "reduce", 1, _reduce_infer,
                lambda ev, node, inputs, types: semantics.reduce_all(
                    inputs[0], reduction(node.attr("reduce")), node.type.dtype),
                lower_member=lambda e, node: lowering.chunk_reduce(
                    e, node, reduction(node.attr("reduce"))),
                cost=map_cost, attrs=("reduce",), hoist=ALWAYS, runs_on_input=True))


# --- loops ---------------------------------------------------------------------
# A loop node owns a region of body nodes.  ``carry`` nodes (in the body) read a
# loop-carried value at the start of an iteration; ``loop_result`` nodes (after
# the loop) read its final value.

LOOP_KINDS = ("fixed", "converge", "while_any")


def _loop_infer(ts, attrs):
    if ts[0].kind is not Kind.SCALAR or ts[0].dtype is F64:
        raise KindError(f"a loop bound must be an integer scalar, got {ts[0]}")
    return Type(Kind.SCALAR, I64)


# The interpreter and codegen run loops themselves (a loop is control, not a value):
# these three have no evaluate or lowering rule of their own.
_register(OpDef("loop", "loop", 1, _loop_infer, attrs=("kind", "carries", "stop", "residual"),
                pure=False, hoist=STAYS, region=True, whole_arrays=True))
_register(OpDef("carry", "loop", 1, lambda ts, a: ts[0], attrs=("loop", "index"),
                storage=CARRY, hoist=STAYS, whole_arrays=True))


def _loop_result_infer(ts, attrs):
    raise IRError("a loop result has its carry's type: add it with type= (see IRGraph.add)")


_register(OpDef("loop_result", "loop", 1, _loop_result_infer, attrs=("index",),
                storage=RESULT, hoist=STAYS, typed_by_loop=True))
