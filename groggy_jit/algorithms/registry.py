"""The catalogue registry: every built-in algorithm under a unique name."""

from __future__ import annotations

from typing import Callable

from ..driver import Algorithm

REGISTRY: dict[str, Algorithm] = {}


def register(name: str) -> Callable[[Callable], Algorithm]:
    """Decorate a DSL function as the catalogue algorithm ``name``."""
    def wrap(fn: Callable) -> Algorithm:
        if name in REGISTRY:
            raise ValueError(f"algorithm {name!r} is registered twice")
        algo = Algorithm.from_function(fn, name)
        REGISTRY[name] = algo
        return algo
    return wrap
