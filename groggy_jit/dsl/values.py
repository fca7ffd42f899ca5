"""Traced values: Python operators on handles add IR nodes instead of computing.

A ``Value`` stands for one IR node (a node map, an edge map or a scalar).  It is
mutable on purpose in one way only: when a loop ends, the handle that held a
carried value is re-pointed at the loop's result, so Python code after the loop
reads the final value, exactly as an ordinary Python loop would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import TraceError
from ..ir.types import DType, Kind, Type

if TYPE_CHECKING:
    from .builder import IRBuilder

NORMS = ("sum", "max", "l2")


class Value:
    __slots__ = ("builder", "node_id")
    __array_priority__ = 1000      # numpy scalars on the left defer to our operators

    def __init__(self, builder: "IRBuilder", node_id: str):
        self.builder = builder
        self.node_id = node_id

    # --- what it is -------------------------------------------------------------
    @property
    def node(self):
        return self.builder.ir.node_map[self.node_id]

    @property
    def type(self) -> Type:
        return self.node.type

    @property
    def kind(self) -> Kind:
        return self.type.kind

    @property
    def dtype(self) -> DType:
        return self.type.dtype

    def __repr__(self) -> str:
        hint = f" {self.node.hint}" if self.node.hint else ""
        return f"<traced {self.type}{hint} = {self.node.op}>"

    # --- Python control flow cannot see traced values ------------------------------
    def __bool__(self):
        raise TraceError("a traced value has no truth value while the algorithm is being "
                         "compiled: use x.where(a, b) to choose values, or sG.until_converged / "
                         "sG.iterate / sG.while_any for loops")

    def __index__(self):
        raise TraceError("a traced value cannot be used as a Python int (range(), indexing); "
                         "use sG.iterate(n) for loops with a parameter count")

    def __iter__(self):
        raise TraceError("a traced value cannot be iterated in Python; use pull() or reduce()")

    __hash__ = object.__hash__     # handles are hashable by identity; == builds IR

    # --- arithmetic -------------------------------------------------------------
    def _op(self, op, *others, **attrs) -> "Value":
        return self.builder.apply(op, self, *others, **attrs)

    def _rop(self, op, other) -> "Value":
        return self.builder.apply(op, other, self)

    def __add__(self, o): return self._op("add", o)
    def __radd__(self, o): return self._rop("add", o)
    def __sub__(self, o): return self._op("sub", o)
    def __rsub__(self, o): return self._rop("sub", o)
    def __mul__(self, o): return self._op("mul", o)
    def __rmul__(self, o): return self._rop("mul", o)
    def __truediv__(self, o): return self._op("div", o)
    def __rtruediv__(self, o): return self._rop("div", o)
    def __floordiv__(self, o): return self._op("floordiv", o)
    def __rfloordiv__(self, o): return self._rop("floordiv", o)
    def __mod__(self, o): return self._op("mod", o)
    def __rmod__(self, o): return self._rop("mod", o)
    def __pow__(self, o): return self._op("pow", o)
    def __rpow__(self, o): return self._rop("pow", o)
    def __neg__(self): return self._op("neg")
    def __pos__(self): return self
    def __abs__(self): return self._op("abs")
    def __lt__(self, o): return self._op("lt", o)
    def __le__(self, o): return self._op("le", o)
    def __gt__(self, o): return self._op("gt", o)
    def __ge__(self, o): return self._op("ge", o)
    def __eq__(self, o): return self._op("eq", o)       # type: ignore[override]
    def __ne__(self, o): return self._op("ne", o)       # type: ignore[override]
    def __and__(self, o): return self._op("and", o)
    def __rand__(self, o): return self._rop("and", o)
    def __or__(self, o): return self._op("or", o)
    def __ror__(self, o): return self._rop("or", o)
    def __invert__(self): return self._op("not")

    # --- named operations ---------------------------------------------------------
    def where(self, if_true, if_false) -> "Value":
        """Elementwise choice: ``if_true`` where this bool value holds, else ``if_false``."""
        return self.builder.apply("where", self, if_true, if_false)

    def abs(self) -> "Value":
        return self._op("abs")

    def sqrt(self) -> "Value":
        return self._op("sqrt")

    def exp(self) -> "Value":
        return self._op("exp")

    def log(self) -> "Value":
        return self._op("log")

    def minimum(self, other) -> "Value":
        return self._op("minimum", other)

    def maximum(self, other) -> "Value":
        return self._op("maximum", other)

    def clip(self, lower=None, upper=None) -> "Value":
        out = self
        if lower is not None:
            out = out.maximum(lower)
        if upper is not None:
            out = out.minimum(upper)
        return out

    def astype(self, dtype: str) -> "Value":
        """Convert to ``"f64"``, ``"i64"`` or ``"bool"``."""
        return self._op("cast", dtype=DType(dtype).value)

    def __getitem__(self, index) -> "Value":
        """Gather by index: ``x[parent][i] == x[parent[i]]`` (NaN / -1 / False where
        ``parent[i]`` is not a node)."""
        return self._op("gather", index)

    def scatter_min(self, index, values) -> "Value":
        """A copy of this map where ``out[index[i]] = min(out[index[i]], values[i])``
        for every node i (pointer-jumping hooks, e.g. FastSV)."""
        return self._op("scatter", index, values, reduce="min")

    def scatter_max(self, index, values) -> "Value":
        """A copy of this map where ``out[index[i]] = max(out[index[i]], values[i])``."""
        return self._op("scatter", index, values, reduce="max")

    def scatter_add(self, index, values) -> "Value":
        """A copy of this map where ``values[i]`` is added to ``out[index[i]]`` for every
        node i, in node order (counts per label: ``zeros.scatter_add(label, 1)``)."""
        return self._op("scatter", index, values, reduce="sum")

    def reduce(self, op: str = "sum") -> "Value":
        """Reduce a node map to a scalar: sum, min, max, mean, any, all, count."""
        return self._op("reduce", reduce=op)

    def sum(self) -> "Value":
        return self.reduce("sum")

    def normalize(self, method: str = "sum") -> "Value":
        """Divide by the sum, the largest absolute value, or the L2 norm."""
        if method == "sum":
            return self / self.reduce("sum")
        if method == "max":
            return self / abs(self).reduce("max")
        if method == "l2":
            return self / (self * self).reduce("sum").sqrt()
        raise TraceError(f"normalize(method={method!r}): use one of {', '.join(NORMS)}")

    def degrees(self, over: str = "out") -> "Value":
        """Out-degree of every node (``over="in"``/``"both"`` for the others).

        The degrees are the graph's: this value's own values are not read.  The
        receiver is groggy's spelling (``rank.degrees()``), kept so its algorithms port.
        """
        return self.builder.node_degrees(self, over=over)


class PairList:
    """A pair-list parameter (``pairs: gj.NodePairs``): not a value itself; its two ends
    are, as pair maps: ``u, v = sG.pair_ends(pairs)``."""
    __slots__ = ("value",)

    def __init__(self, value: Value):
        self.value = value

    def __repr__(self) -> str:
        return "<traced pair list: read its ends with u, v = sG.pair_ends(pairs)>"

    def _refuse(self, *_):
        raise TraceError("a pair list is not a value to compute with; read its ends as pair "
                         "maps with u, v = sG.pair_ends(pairs)")


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "lt", "le", "gt",
              "ge", "eq", "ne", "and", "or", "getitem", "iter", "bool", "neg", "invert"):
    setattr(PairList, f"__{_name}__", PairList._refuse)
    if _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or"):
        setattr(PairList, f"__r{_name}__", PairList._refuse)
PairList.__hash__ = object.__hash__
