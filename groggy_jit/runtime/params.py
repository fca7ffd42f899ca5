"""Binding call keywords to an algorithm's parameters, with clear errors."""

from __future__ import annotations

import dataclasses
import difflib

import numpy as np

from ..errors import ParameterError, ParameterValueError
from ..ir.domains import DOMAINS
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


def node_index(param: Param, value, graph, positions: dict | None = None) -> int:
    """A node parameter's index in ``graph``: a label for labelled graphs, else an index."""
    labels = graph.node_labels
    if labels is not None and not isinstance(value, (bool, np.bool_)):
        if positions is None:
            positions = {label: i for i, label in enumerate(labels)}
        position = positions.get(value)
        if position is not None:
            return position
        raise ParameterError(f"{param.name}={value!r} is not a node of this graph")
    index = _coerce(dataclasses.replace(param, dtype=DType.I64), value)
    if not 0 <= index < graph.num_nodes:
        raise ParameterError(f"{param.name}={index} is out of range: the graph has "
                             f"{graph.num_nodes} node(s), ids 0..{graph.num_nodes - 1}")
    return index


def node_values(param: Param, value, graph) -> np.ndarray:
    """A per-node parameter as a read-only array with one value per node of ``graph``.

    Accepted: one scalar for every node; a sequence or array with one value per
    node; a dict ``{node: value}`` (other nodes get 0 / False); for bool values, a
    set of nodes (those are True).
    """
    n, dtype, name = graph.num_nodes, param.dtype.numpy, param.name
    if isinstance(value, (dict, set, frozenset)):
        if isinstance(value, (set, frozenset)):
            if param.dtype is not DType.BOOL:
                raise ParameterError(f"{name} takes a set of nodes only for True/False values; "
                                     f"pass a dict {{node: value}} for {param.dtype.value} values")
            value = dict.fromkeys(value, True)
        labels = graph.node_labels
        positions = None if labels is None else {label: i for i, label in enumerate(labels)}
        out = np.zeros(n, dtype=dtype)
        for node, v in value.items():
            out[node_index(param, node, graph, positions)] = _coerce(param, v)
    elif isinstance(value, (list, tuple, np.ndarray)):
        out = _per_node_array(param, np.asarray(value), n)
    else:
        out = np.full(n, _coerce(param, value), dtype=dtype)
    out.flags.writeable = False
    return out


def non_edges(graph) -> np.ndarray:
    """Every pair u < v of distinct nodes not joined by an arc, in increasing (u, v)."""
    n = graph.num_nodes
    u, v = np.triu_indices(n, 1)
    sources = np.repeat(np.arange(n, dtype=np.int64), np.diff(graph.out_indptr))
    arcs = sources * n + graph.out_indices
    keep = ~np.isin(u * n + v, arcs)
    return np.stack([u[keep], v[keep]], axis=1).astype(np.int64)


def node_pairs(param: Param, value, graph) -> np.ndarray:
    """A pair-list parameter as a read-only (k, 2) array of node indices.

    Accepted: an integer numpy array of shape (k, 2) holding node indices, a
    sequence of (u, v) pairs of nodes (networkx labels for labelled graphs), or
    None for every non-edge (as networkx's ``ebunch=None``).
    """
    name, n = param.name, graph.num_nodes
    if value is None:
        out = non_edges(graph)
    elif isinstance(value, np.ndarray):
        if value.dtype.kind not in "iu":
            raise ParameterError(f"{name} needs node indices (integers); got an array of "
                                 f"{value.dtype}")
        out = value
    else:
        try:
            pairs = [tuple(pair) for pair in value]
        except TypeError:
            raise ParameterError(f"{name} needs a sequence of (u, v) node pairs, got "
                                 f"{type(value).__name__} {value!r}") from None
        bad = next((pair for pair in pairs if len(pair) != 2), None)
        if bad is not None:
            raise ParameterError(f"{name} needs (u, v) node pairs; got {bad!r}")
        labels = graph.node_labels
        if labels is None:                      # node indices: checked with the arrays below
            out = np.array(pairs).reshape(-1, 2)
            if out.size and out.dtype.kind not in "iu":
                raise ParameterError(f"{name} needs node indices (integers); got "
                                     f"{pairs[0]!r}")
        else:
            positions = {label: i for i, label in enumerate(labels)}
            end = dataclasses.replace(param, dtype=DType.I64)
            out = np.array([[node_index(end, u, graph, positions),
                             node_index(end, v, graph, positions)] for u, v in pairs],
                           dtype=np.int64).reshape(-1, 2)
    if out.ndim != 2 or out.shape[1] != 2:
        raise ParameterError(f"{name} needs (u, v) node pairs: an array of shape (k, 2), got "
                             f"shape {out.shape}")
    out = np.ascontiguousarray(out, dtype=np.int64)
    outside = (out < 0) | (out >= n)
    if outside.any():
        row = int(np.flatnonzero(outside.any(axis=1))[0])
        raise ParameterError(f"{name}: pair {row} ({out[row, 0]}, {out[row, 1]}) names a node "
                             f"out of range: the graph has {n} node(s), ids 0..{n - 1}")
    out.flags.writeable = False
    return out


def _per_node_array(param: Param, given: np.ndarray, n: int) -> np.ndarray:
    name, want = param.name, param.dtype
    if given.shape != (n,):
        raise ParameterError(f"{name} needs one value per node: expected shape ({n},), got "
                             f"{given.shape}")
    kind = given.dtype.kind
    if want is DType.BOOL:
        ok = kind == "b"
    elif want is DType.I64:
        ok = kind in "iu" or (kind == "f" and bool(np.all(np.isfinite(given)))
                              and bool(np.all(given == np.round(given))))
    else:
        ok = kind in "iuf"
    if not ok:
        what = {DType.BOOL: "True/False values", DType.I64: "whole numbers",
                DType.F64: "numbers"}[want]
        raise ParameterError(f"{name} needs {what}, one per node; got an array of "
                             f"{given.dtype}")
    return np.array(given, dtype=want.numpy)


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
        elif param.default is None and not param.pairs:
            raise ParameterError(f"parameter {name!r} has no default; pass {name}=...")
        else:
            value = param.default
        if graph is None:               # checked without a graph: the scalars only
            bound[name] = value if param.node or param.per_node or param.pairs \
                else _coerce(param, value)
        elif param.pairs:
            bound[name] = node_pairs(param, value, graph)
        elif param.node:
            bound[name] = node_index(param, value, graph)
        elif param.per_node:
            bound[name] = node_values(param, value, graph)
        else:
            bound[name] = _coerce(param, value)
        if not param.node and not param.pairs and (graph is not None or not param.per_node):
            check_domain(param, bound[name])
    return bound


def check_domain(param: Param, value) -> None:
    """Raise ParameterValueError if ``value`` lies outside the parameter's declared domain."""
    domain = DOMAINS.get(param.domain)
    problem = domain.problem(value) if domain is not None else None
    if problem:
        raise ParameterValueError(f"parameter {param.name!r}: {problem}")
