"""``groggy-jit cache info|clear``, ``groggy-jit warm`` and ``groggy-jit bench``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..errors import UsageError

# bench/ modules that are helpers, not benchmarks.
_BENCH_HELPERS = {"__init__", "__main__", "common", "bandwidth", "checks", "generated", "graphs", "peers",
                  "report", "suite"}
# `groggy-jit bench all` is `python -m bench`: every kernel, graph and library.
_BENCH_ALL = "all"


def cache_command(action: str) -> int:
    from ..runtime.cache import cache_clear, cache_info
    if action == "clear":
        print(f"removed {cache_clear()} cached kernel(s)")
        return 0
    info = cache_info()
    print(f"cache directory: {info['root']}")
    print(f"{len(info['entries'])} kernel(s), {info['bytes'] / 1024:.1f} KiB")
    for e in info["entries"]:
        state = "compiled" if e["compiled"] else "source only"
        print(f"  {e['kernel']}  {e['bytes'] / 1024:8.1f} KiB  {state}  [{e['tag']}]")
    print(_warm_summary())
    return 0


def _warm_summary() -> str:
    """Which catalogue kernels are compiled for this groggy-jit, Numba and CPU."""
    from ..algorithms.warm import warm_state
    warm = {}
    for (name, dtype), compiled in warm_state().items():
        if compiled:
            warm.setdefault(name, []).append(dtype)
    listed = ", ".join(f"{name} ({'/'.join(d)})" for name, d in warm.items())
    return f"warm catalogue kernels: {len(warm)} algorithm(s){': ' + listed if listed else ''}"


def warm_command(names: list[str], dtypes: list[str], processes: int | None) -> int:
    from ..algorithms.warm import warm
    failed = warm(names, dtypes, processes)
    if failed:
        print("groggy-jit: error: failed to compile " +
              ", ".join(f"{n} ({d})" for n, d in failed), file=sys.stderr)
        return 1
    return 0


def checkout_root() -> Path:
    """The source checkout this package runs from; bench/ lives there and is not installed."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "bench" / "__init__.py").is_file():
        raise UsageError("bench needs a source checkout of groggy-jit: the benchmarks in bench/ "
                         "are not installed with the package; clone the repository and run "
                         "`python -m groggy_jit bench` inside it")
    return root


def bench_command(name: str | None, args: list[str]) -> int:
    root = checkout_root()
    available = sorted(p.stem for p in (root / "bench").glob("*.py")
                       if p.stem not in _BENCH_HELPERS)
    if name is None:
        print("benchmarks (groggy-jit bench NAME --help for each one's options):")
        print(f"  {_BENCH_ALL}  (every kernel, graph and library against the peers; --quick: a few minutes)")
        for bench in available:
            print(f"  {bench}")
        return 0
    if name == _BENCH_ALL:
        return subprocess.call([sys.executable, "-m", "bench", *args], cwd=root)
    if name not in available:
        raise UsageError(f"unknown benchmark {name!r}; available: {', '.join(available)}")
    return subprocess.call([sys.executable, "-m", f"bench.{name}", *args], cwd=root)
