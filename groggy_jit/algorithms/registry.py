"""The catalogue registry: every built-in algorithm under a unique name."""

from __future__ import annotations

from typing import Callable

from ..driver import Algorithm, EdgeWeights

REGISTRY: dict[str, Algorithm] = {}


def register(name: str, weights: EdgeWeights | None = None) -> Callable[[Callable], Algorithm]:
    """Decorate a DSL function as the catalogue algorithm ``name``; ``weights`` says how
    it reads networkx edges (its weight keyword, default and parallel edges)."""
    def wrap(fn: Callable) -> Algorithm:
        if name in REGISTRY:
            raise ValueError(f"algorithm {name!r} is registered twice")
        algo = Algorithm.from_function(fn, name, weights=weights)
        REGISTRY[name] = algo
        return algo
    return wrap
