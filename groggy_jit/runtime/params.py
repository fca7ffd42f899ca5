"""Binding call keywords to an algorithm's parameters, with clear errors."""

from __future__ import annotations

import difflib

import numpy as np

from ..errors import ParameterError
from ..ir.graph import Param
from ..ir.types import DType


def _coerce(param: Param, value):
    name = param.name
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if param.dtype is DType.BOOL:
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise ParameterError(f"parameter {name!r} must be True or False, got {value!r}")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"parameter {name!r} must be a number, got {type(value).__name__} "
                             f"{value!r}")
    if param.dtype is DType.I64:
        if isinstance(value, (float, np.floating)):
            if not float(value).is_integer():
                raise ParameterError(f"parameter {name!r} must be a whole number, got {value!r}")
        value = int(value)
        if not -(2**63) <= value < 2**63:
            raise ParameterError(f"parameter {name!r} = {value} does not fit in 64 bits")
        return value
    return float(value)


def node_index(param: Param, value, graph) -> int:
    """A node parameter's index in ``graph``: a label for labelled graphs, else an index."""
    labels = graph.node_labels
    if labels is not None and not isinstance(value, (bool, np.bool_)):
        position = {label: i for i, label in enumerate(labels)}.get(value)
        if position is not None:
            return position
        raise ParameterError(f"{param.name}={value!r} is not a node of this graph")
    index = _coerce(param, value)
    if not 0 <= index < graph.num_nodes:
        raise ParameterError(f"{param.name}={index} is out of range: the graph has "
                             f"{graph.num_nodes} node(s), ids 0..{graph.num_nodes - 1}")
    return index


def bind(params: dict[str, Param], given: dict, graph=None) -> dict:
    """Defaults overridden by ``given``; unknown names and wrong types raise ParameterError.

    With ``graph``, node parameters are resolved to indices and range-checked.
    """
    unknown = [k for k in given if k not in params]
    if unknown:
        hints = []
        for k in unknown:
            close = difflib.get_close_matches(k, list(params), n=1)
            hints.append(f"{k!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        known = ", ".join(sorted(params)) or "none"
        raise ParameterError(f"unknown parameter {', '.join(hints)}; this algorithm takes: {known}")
    bound = {}
    for name, param in params.items():
        if name in given:
            value = given[name]
        elif param.default is None:
            raise ParameterError(f"parameter {name!r} has no default; pass {name}=...")
        else:
            value = param.default
        if param.node:
            bound[name] = value if graph is None else node_index(param, value, graph)
        else:
            bound[name] = _coerce(param, value)
    return bound
