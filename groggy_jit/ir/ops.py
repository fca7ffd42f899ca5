"""Every IR op, declared once: its type rule, numpy meaning, code emitter and traits.

Elementwise ops are complete here: the interpreter and constant folding call
``numpy``, codegen calls ``emit`` on per-element expressions, and passes read the
traits (``pure``, ``commutative``).  Structural ops (graph sources, pulls,
reductions, loops) declare their type rule and traits here; their execution
lives in the interpreter and the code generator, one function per op category.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..errors import KindError
from .monoids import PULL_ONLY, REDUCTIONS, reduction
from .types import DType, Kind, Type, broadcast, promote

F64, I64, BOOL = DType.F64, DType.I64, DType.BOOL


@dataclass(frozen=True)
class OpDef:
    name: str
    category: str   # elementwise | source | graph | edge | pull | reduce | loop | scatter | neighbourhood
    arity: int                         # number of inputs, -1 when variable
    infer: Callable[[tuple[Type, ...], dict], Type]
    numpy: Callable | None = None      # elementwise: reference meaning on arrays/scalars
    emit: Callable[..., str] | None = None   # elementwise: (operand expressions, attrs) -> expression
    operand_dtype: Callable[[tuple[Type, ...]], DType | None] = lambda ts: None
    commutative: bool = False
    pure: bool = True
    attrs: tuple[str, ...] = field(default=())
    gathers: tuple[int, ...] = ()      # inputs read at other nodes than the one computed

    def gathered(self, node) -> tuple[str, ...]:
        """The input ids ``node`` reads at arbitrary nodes (they must be complete first)."""
        if self.name == "pull":
            x, mask, _ = pull_operands(node.inputs, node.attr_dict)
            return tuple(i for i in (x, mask) if i is not None)
        return tuple(node.inputs[i] for i in self.gathers)


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
        from ..errors import IRError
        raise IRError(f"unknown op {name!r}") from None


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
                 commutative=False):
    def infer(ts, attrs):
        kind = broadcast(*(t.kind for t in ts))
        dtype = operand_dtype(ts) if result is None else result
        return Type(kind, dtype)
    return _register(OpDef(name, "elementwise", arity, infer, numpy_fn, emit,
                           operand_dtype, commutative))


def _binary(symbol):
    return lambda a, b, **_: f"({a} {symbol} {b})"


def _call(fn):
    return lambda *args, **_: f"{fn}({', '.join(args)})"


_elementwise("add", 2, np.add, _binary("+"), _arith_dtype, commutative=True)
_elementwise("sub", 2, np.subtract, _binary("-"), _arith_dtype)
_elementwise("mul", 2, np.multiply, _binary("*"), _arith_dtype, commutative=True)
_elementwise("div", 2, np.true_divide, _call("np.divide"), _float_dtype)
_elementwise("floordiv", 2, np.floor_divide, _call("np.floor_divide"), _arith_dtype)
_elementwise("mod", 2, np.remainder, _call("np.remainder"), _arith_dtype)
_elementwise("pow", 2, np.power, _call("np.power"), _float_dtype)
_elementwise("minimum", 2, np.minimum, _call("np.minimum"), _arith_dtype, commutative=True)
_elementwise("maximum", 2, np.maximum, _call("np.maximum"), _arith_dtype, commutative=True)
_elementwise("neg", 1, np.negative, lambda a, **_: f"(-{a})", _arith_dtype)
_elementwise("abs", 1, np.abs, _call("abs"), _arith_dtype)
_elementwise("sqrt", 1, np.sqrt, _call("np.sqrt"), _float_dtype)
_elementwise("exp", 1, np.exp, _call("np.exp"), _float_dtype)
_elementwise("log", 1, np.log, _call("np.log"), _float_dtype)
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


_register(OpDef("where", "elementwise", 3, _where_infer, _where_numpy,
                lambda c, a, b, **_: f"({a} if {c} else {b})",
                operand_dtype=lambda ts: None))


def _cast_infer(ts, attrs):
    return Type(ts[0].kind, DType(attrs["dtype"]))


def _cast_numpy(x, *, dtype):
    return np.asarray(x).astype(DType(dtype).numpy)


_CAST_EMIT = {"f64": "np.float64", "i64": "np.int64", "bool": "np.bool_"}
_register(OpDef("cast", "elementwise", 1, _cast_infer, _cast_numpy,
                lambda a, *, dtype: f"{_CAST_EMIT[dtype]}({a})", attrs=("dtype",)))


# --- sources: values that come from constants, parameters and the graph -------

def _scalar_of(attrs):
    return Type(Kind.SCALAR, DType(attrs["dtype"]))


_register(OpDef("const", "source", 0, lambda ts, a: _scalar_of(a), attrs=("value", "dtype")))
_register(OpDef("param", "source", 0, lambda ts, a: _scalar_of(a), attrs=("name", "dtype")))
_register(OpDef("num_nodes", "source", 0, lambda ts, a: Type(Kind.SCALAR, I64)))
_register(OpDef("num_edges", "source", 0, lambda ts, a: Type(Kind.SCALAR, I64)))
_register(OpDef("is_directed", "source", 0, lambda ts, a: Type(Kind.SCALAR, BOOL)))
_register(OpDef("node_index", "graph", 0, lambda ts, a: Type(Kind.NODE, I64)))
_register(OpDef("node_param", "graph", 0, lambda ts, a: Type(Kind.NODE, DType(a["dtype"])),
                attrs=("name", "dtype")))
_register(OpDef("degree", "graph", 0, lambda ts, a: Type(Kind.NODE, I64), attrs=("over",)))


def _fill_infer(ts, attrs):
    if ts[0].kind is not Kind.SCALAR:
        raise KindError(f"fill needs a scalar value, got {ts[0]}")
    return Type(Kind.NODE, ts[0].dtype)


_register(OpDef("fill", "elementwise", 1, _fill_infer, None, lambda a, **_: a))


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
    name = attrs["reduce"]
    weighted = attrs.get("weight") is not None
    if weighted and attrs.get("combine") not in WEIGHT_COMBINE:
        raise KindError(f"pull combine={attrs.get('combine')!r}: use one of {', '.join(WEIGHT_COMBINE)}")
    if name == "argmin":
        if x.dtype is BOOL:
            raise KindError("pull(reduce='argmin') needs numbers, got a bool node map")
        return Type(Kind.NODE, I64)
    if name in PULL_ONLY:
        if weighted:
            raise KindError("pull(reduce='mode') does not take weights")
        return x
    dtype = promote(x.dtype, F64) if weighted else x.dtype
    return Type(Kind.NODE, reduction(name).result(dtype))


# inputs: the gathered values, optionally a bool mask of the sources to read, and with
# attribute ``at`` a bool mask of the targets computed (read at the target itself)
_register(OpDef("pull", "pull", -1, _pull_infer, attrs=("over", "reduce")))


# --- reading and writing other nodes by index ------------------------------------

def _gather_infer(ts, attrs):
    x, index = ts
    if x.kind is not Kind.NODE or index.kind is not Kind.NODE or index.dtype is not I64:
        raise KindError(f"x[index] needs a node map x and an i64 node map index, got {x} and {index}")
    return x


# y[i] = x[index[i]]; an index outside 0..n-1 reads the dtype's missing value.
_register(OpDef("gather", "gather", 2, _gather_infer, gathers=(0,)))


def _scatter_infer(ts, attrs):
    x, index, values = ts
    if Kind.NODE not in (x.kind,) or index.kind is not Kind.NODE or index.dtype is not I64:
        raise KindError(f"scatter_min needs node maps (x, i64 index, values), got {x}, {index}")
    if values.kind is Kind.EDGE:
        raise KindError("scatter_min values must be a node map or a scalar")
    if promote(x.dtype, values.dtype) is not x.dtype:
        raise KindError(f"scatter_min would change {x} to {values.dtype.value}; cast first")
    return x


# out = copy of x; out[index[i]] = min(out[index[i]], values[i]) for every i, in one serial pass.
_register(OpDef("scatter_min", "scatter", 3, _scatter_infer))

MISSING = {F64: float("nan"), I64: -1, BOOL: False}


# --- edge maps: one value per arc, in the order of the in-CSR (arcs grouped by target) ---

def _to_edges(ts, attrs):
    (x,) = ts
    if x.kind is not Kind.NODE:
        raise KindError(f"src()/dst() need a node map, got {x}")
    return Type(Kind.EDGE, x.dtype)


_register(OpDef("src", "edge", 1, _to_edges, gathers=(0,)))     # x at the arc's source
_register(OpDef("dst", "edge", 1, _to_edges, gathers=(0,)))     # x at the arc's target
_register(OpDef("edge_weight", "edge", 0, lambda ts, a: Type(Kind.EDGE, F64)))
# |N(u) ∩ N(v)| for the arc u -> v over out-neighbour lists, u and v themselves excluded
_register(OpDef("common_neighbors", "neighbourhood", 0, lambda ts, a: Type(Kind.EDGE, I64)))


def _pull_edges_infer(ts, attrs):
    (e,) = ts
    if e.kind is not Kind.EDGE:
        raise KindError(f"pull_edges() needs an edge map, got {e}; use pull() for node maps")
    if attrs["reduce"] in PULL_ONLY:
        raise KindError("pull_edges() reduces with sum, min, max, any, all, count or mean; "
                        f"not {attrs['reduce']!r}")
    return Type(Kind.NODE, reduction(attrs["reduce"]).result(e.dtype))


# y[v] = reduce(e[arc] for every arc u -> v)
_register(OpDef("pull_edges", "edge", 1, _pull_edges_infer, attrs=("reduce",)))


def _reduce_infer(ts, attrs):
    (x,) = ts
    if x.kind is Kind.SCALAR:
        raise KindError(f"reduce() needs a node or edge map, got {x}")
    return Type(Kind.SCALAR, reduction(attrs["reduce"]).result(x.dtype))


_register(OpDef("reduce", "reduce", 1, _reduce_infer, attrs=("reduce",)))


# --- loops ---------------------------------------------------------------------
# A loop node owns a region of body nodes.  ``carry`` nodes (in the body) read a
# loop-carried value at the start of an iteration; ``loop_result`` nodes (after
# the loop) read its final value.

LOOP_KINDS = ("fixed", "converge", "while_any")


def _loop_infer(ts, attrs):
    if ts[0].kind is not Kind.SCALAR or ts[0].dtype is F64:
        raise KindError(f"a loop bound must be an integer scalar, got {ts[0]}")
    return Type(Kind.SCALAR, I64)


_register(OpDef("loop", "loop", 1, _loop_infer, pure=False,
                attrs=("kind", "carries", "stop")))
_register(OpDef("carry", "loop", 1, lambda ts, a: ts[0], attrs=("loop", "index")))
_register(OpDef("loop_result", "loop", 1, lambda ts, a: a["type"], attrs=("index", "type")))

ELEMENTWISE = tuple(n for n, op in OPS.items() if op.category == "elementwise")
REDUCE_NAMES = tuple(REDUCTIONS) 
