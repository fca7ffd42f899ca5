"""The groggy-style ``@algorithm`` decorator."""

from __future__ import annotations

from typing import Callable


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
    from ..runtime.algorithm import Algorithm

    if callable(name):                 # used bare: @algorithm
        return Algorithm.from_function(name, opt_level=opt_level)

    def wrap(fn: Callable) -> Algorithm:
        return Algorithm.from_function(fn, name, opt_level=opt_level)
    return wrap
