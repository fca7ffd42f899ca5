"""Warming the cache: compile catalogue kernels ahead of their first call.

``groggy-jit warm`` runs this at the start of a CI job or a Dask worker, so that no
first call waits for the compiler.  Each kernel compiles in its own process (as the
tiers' background compiles do), as many at once as asked.
"""

from __future__ import annotations

import os

from ..errors import ParameterError
from ..runtime.cache import compiled_on_disk
from ..runtime.tiers import compile_all
from .registry import REGISTRY

INDEX_DTYPES = ("int32", "int64")


def kernels(names=None, dtypes=INDEX_DTYPES) -> dict[tuple[str, str], str]:
    """``{(algorithm, index dtype): kernel source}`` for catalogue names (all by default)."""
    names = list(names or REGISTRY)
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise ParameterError(f"unknown algorithm(s) {', '.join(map(repr, unknown))}; the "
                             f"catalogue has {', '.join(sorted(REGISTRY))}")
    bad = [d for d in dtypes if d not in INDEX_DTYPES]
    if bad:
        raise ParameterError(f"unknown index dtype(s) {', '.join(map(repr, bad))}; use "
                             f"{' or '.join(INDEX_DTYPES)}")
    return {(n, d): REGISTRY[n].source_for(d).text for n in names for d in dtypes}


def warm_state(dtypes=INDEX_DTYPES) -> dict[tuple[str, str], bool]:
    """Whether each catalogue kernel's machine code is in the cache."""
    return {key: compiled_on_disk(source) for key, source in kernels(None, dtypes).items()}


def warm(names=None, dtypes=("int32",), processes: int | None = None,
         progress: bool = True) -> list[tuple[str, str]]:
    """Compile the named catalogue algorithms (all by default) into the disk cache.

    Returns the (algorithm, dtype) pairs whose compile failed.  ``processes`` defaults to
    the number of cores; ``progress`` shows a bar (tqdm, if installed).
    """
    sources = kernels(names, dtypes)
    label = {source: key for key, source in sources.items()}
    bar = _progress_bar(len(sources)) if progress else None

    def advanced(source: str) -> None:
        if bar is not None:
            bar.set_postfix_str("/".join(label[source]), refresh=False)
            bar.update(1)
    try:
        failed = compile_all(sources.values(), processes or os.cpu_count() or 1, advanced)
    finally:
        if bar is not None:
            bar.close()
    return [label[source] for source in failed]


def _progress_bar(total: int):
    try:
        from tqdm import tqdm
    except ImportError:
        return _PlainProgress(total)
    return tqdm(total=total, unit="kernel", desc="warm")


class _PlainProgress:
    """One line per kernel when tqdm is not installed."""

    def __init__(self, total: int):
        self.total, self.done, self.note = total, 0, ""

    def set_postfix_str(self, note: str, refresh: bool = False) -> None:
        self.note = note

    def update(self, n: int) -> None:
        self.done += n
        print(f"warm {self.done}/{self.total} {self.note}", flush=True)

    def close(self) -> None:
        pass
