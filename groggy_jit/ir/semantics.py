"""The numpy meaning of elementwise ops, shared by the interpreter and constant folding."""

from __future__ import annotations

import numpy as np

from .graph import Node
from .ops import op_def
from .types import Type


def cast(value, dtype):
    """Cast a scalar or array to a numpy dtype."""
    if isinstance(value, np.ndarray):
        return value.astype(dtype, copy=False)
    return dtype.type(value)


def apply_elementwise(node: Node, values: list, types: list[Type]):
    """Evaluate an elementwise op on numpy scalars/arrays with the op's operand casts."""
    definition = op_def(node.op)
    operand = definition.operand_dtype(tuple(types))
    if operand is not None:
        values = [cast(v, operand.numpy) for v in values]
    elif node.op == "where":
        result = node.type.dtype.numpy
        values = [cast(values[0], np.dtype(np.bool_)), cast(values[1], result),
                  cast(values[2], result)]
    with np.errstate(all="ignore"):
        out = definition.numpy(*values, **node.attr_dict)
    if np.ndim(out) == 0:
        return node.type.dtype.numpy.type(out)
    return np.asarray(out).astype(node.type.dtype.numpy, copy=False)
