"""Tracing: run a groggy-style Python function once on traced values to get IR."""

from __future__ import annotations

import inspect
import sys
from typing import Callable

from ..errors import TraceError
from ..ir.domains import DOMAINS, Domain
from ..ir.graph import IRGraph
from ..ir.verify import verify
from .builder import GraphHandle, IRBuilder
from .values import Value

class NodeId(int):
    """Annotation for a node-id parameter: ``def bfs(sG, source: NodeId = 0)``.

    The value is checked against the graph at every run, and networkx node
    labels are accepted in place of indices.
    """


class NodeValues:
    """Annotation for a parameter with one value per node: ``def f(sG, seeds: NodeValues = False)``.

    The default (a float, int or bool) is the values' type and fills every node
    when nothing is passed. At run time pass one scalar, a sequence or array with
    one value per node, a dict ``{node: value}`` (other nodes get 0 / False) or,
    for bool values, a set of nodes. Changing the values never recompiles.
    """


class NodePairs:
    """Annotation for a list of node pairs: ``def f(sG, pairs: NodePairs = None)``.

    At run time pass an integer array of shape (k, 2) of node indices, or a
    sequence of (u, v) pairs of nodes (labels for networkx input); results are
    pair maps, one value per pair in the given order. Passing None (the only
    default) scores every pair u < v of distinct nodes without an edge between
    them, in increasing (u, v). Changing the pairs never recompiles.
    """


_ANNOTATED = {float: "f64", int: "i64", bool: "bool", "float": "f64", "int": "i64",
              "bool": "bool", NodeId: "i64", "NodeId": "i64"}


def domain_of(annotation) -> Domain | None:
    """The Domain an annotation names: ``gj.Probability``, or as text ``"gj.Probability"``."""
    if isinstance(annotation, Domain):
        return annotation
    if isinstance(annotation, str):
        return DOMAINS.get(annotation.rsplit(".", 1)[-1])
    return None


def signature_params(fn: Callable) -> list[inspect.Parameter]:
    """The algorithm's parameters: everything after the graph argument."""
    params = list(inspect.signature(fn).parameters.values())
    if not params:
        raise TraceError(f"{fn.__name__}() must take the graph as its first argument (sG)")
    for p in params[1:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise TraceError(f"{fn.__name__}(): *args/**kwargs cannot be traced; "
                             "name each parameter with a default value")
        domain = domain_of(p.annotation)
        if domain is not None and p.default is not p.empty:
            problem = domain.problem(p.default)
            if problem:
                raise TraceError(f"{fn.__name__}(): the default of {p.name!r} is outside its "
                                 f"domain {domain.name}: {problem}")
        if p.default is p.empty and p.annotation not in _ANNOTATED and domain is None:
            raise TraceError(f"{fn.__name__}(): parameter {p.name!r} needs a default value "
                             "or a float/int/bool annotation so its type is known")
    return params[1:]


def _dtype_of(domain: Domain) -> str | None:
    return None if domain.dtype is None else domain.dtype.value


def trace(fn: Callable, name: str, unit_weights: bool = False) -> IRGraph | None:
    """The IR of ``fn``; with ``unit_weights``, for graphs whose edges all weigh 1 (None when
    that IR would be the same as the weighted one)."""
    builder = IRBuilder(name, unit_weights)
    kwargs = {}
    for p in signature_params(fn):
        domain = domain_of(p.annotation)
        dtype = _ANNOTATED.get(p.annotation) if domain is None else _dtype_of(domain)
        default = None if p.default is p.empty else p.default
        if domain is not None and domain.per_node:
            typed = None if default is None else domain.dtype.numpy.type(default).item()
            kwargs[p.name] = builder.node_values_param(p.name, typed, domain.name)
        elif p.annotation in (NodeId, "NodeId"):
            kwargs[p.name] = builder.node_param(p.name, default)
        elif p.annotation in (NodePairs, "NodePairs"):
            kwargs[p.name] = builder.pairs_param(p.name)
        elif p.annotation in (NodeValues, "NodeValues"):
            kwargs[p.name] = builder.node_values_param(p.name, default)
        else:
            kwargs[p.name] = builder.param(p.name, default, dtype,
                                           domain.name if domain else "")
    out = _call_capturing_locals(fn, builder, GraphHandle(builder), kwargs)
    if out is not None:
        for key, value in _named_outputs(out, name):
            builder.attach_as(key, value)
    if not builder.ir.outputs:
        raise TraceError(f"{name}: the function returned nothing and attached no outputs; "
                         "return a value (or a dict of values)")
    verify(builder.ir)
    if unit_weights and not builder.dropped_weights:
        return None
    return builder.ir


def _call_capturing_locals(fn, builder, graph, kwargs):
    """Call ``fn``; on its return, name its traced values after its local variables."""
    final: dict = {}

    def watch(frame, event, arg):
        if event == "return" and frame.f_code is fn.__code__:
            final.update(frame.f_locals)

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        out = fn(graph, **kwargs)
    finally:
        sys.setprofile(previous)
    builder.name_values(final)
    return out


def _named_outputs(out, name):
    if isinstance(out, Value):
        return [("result", out)]
    if isinstance(out, dict):
        return list(out.items())
    if isinstance(out, (tuple, list)):
        return [(f"result{i}", v) for i, v in enumerate(out)]
    raise TraceError(f"{name} returned {type(out).__name__}; return a traced value, "
                     "a tuple of them, or a dict name -> value")
