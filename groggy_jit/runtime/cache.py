"""The kernel cache: generated modules on disk, Numba's machine code beside them.

A kernel's module is written once to ``<cache dir>/<name>.py`` where ``name``
comes from the sha256 of its source, then imported with the module registered
in ``sys.modules`` first, so Numba's ``cache=True`` can store and later find the
compiled machine code.  A file whose content does not match is never imported:
it is rewritten.  A per-kernel file lock makes concurrent first compiles wait
for one another instead of racing on Numba's index file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import platform
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from ..version import __version__
from ..errors import CacheError, CompileError

# Bump to invalidate every cache entry (part of the directory name).
CACHE_VERSION = 1
ENV_DIR = "GROGGY_JIT_CACHE_DIR"


def cache_root() -> Path:
    """``GROGGY_JIT_CACHE_DIR`` if set, else the user's cache directory."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env).expanduser()
    import platformdirs
    return Path(platformdirs.user_cache_dir("groggy-jit", appauthor=False))


def prepare_threads() -> None:
    """Let idle kernel threads sleep instead of spinning, unless the user chose otherwise.

    OpenMP's default busy-wait makes a parallel kernel several times slower as soon
    as another process wants a core (measured: 57 ms passive vs 300+ ms spinning for
    PageRank on a 2-core machine with one busy neighbour). Must run before Numba
    starts its thread pool, i.e. before the first parallel kernel call.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")


def version_tag() -> str:
    """Everything that changes machine code for the same source: a directory name."""
    import llvmlite.binding as llvm
    import numba
    import numpy
    numpy_minor = ".".join(numpy.__version__.split(".")[:2])
    python = f"{sys.version_info.major}{sys.version_info.minor}"
    cpu = llvm.get_host_cpu_name().replace("/", "_")
    return (f"v{CACHE_VERSION}-gj{__version__}-numba{numba.__version__}-np{numpy_minor}"
            f"-py{python}-{platform.machine()}-{cpu}")


def kernel_dir() -> Path:
    root = cache_root()
    path = root / version_tag()
    try:
        if not root.exists():                  # a directory we create is private
            root.mkdir(parents=True, mode=0o700, exist_ok=True)
            os.chmod(root, 0o700)
        path.mkdir(mode=0o700, exist_ok=True)  # other processes may create it at once
        os.chmod(path, 0o700)
    except OSError as e:
        raise CacheError(f"cannot use cache directory {path}: {e}; set {ENV_DIR} to a "
                         "writable directory") from None
    return path


def module_name(source_text: str) -> str:
    return "groggy_jit_kernel_" + hashlib.sha256(source_text.encode()).hexdigest()[:32]


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _numba_files(directory: Path, name: str) -> list[Path]:
    return sorted((directory / "__pycache__").glob(f"{name}.*"))


@dataclass
class LoadedKernel:
    function: object
    path: Path
    from_disk: bool          # Numba found machine code cached by an earlier process
    seconds: float


class KernelCache:
    """Loads kernels by source, compiling only when no process compiled them before."""

    def __init__(self):
        self.memory: dict[str, LoadedKernel] = {}
        self._lock = threading.Lock()        # threads of one process load a kernel once

    def load(self, source_text: str) -> tuple[LoadedKernel, str]:
        """The kernel for ``source_text`` and where it came from: memory, disk or compile."""
        name = module_name(source_text)
        if name in self.memory:
            return self.memory[name], "memory"
        with self._lock:
            if name in self.memory:
                return self.memory[name], "memory"
            prepare_threads()
            kernel = self._load_from_disk(name, source_text)
            self.memory[name] = kernel
        return kernel, "disk" if kernel.from_disk else "compile"

    def _load_from_disk(self, name: str, source_text: str) -> LoadedKernel:
        from filelock import FileLock
        directory = kernel_dir()
        path = directory / f"{name}.py"
        with FileLock(str(directory / f"{name}.lock")):
            self._ensure_source(path, name, source_text)
            start = time.perf_counter()
            try:
                function = self._import(name, path)
            except Exception as first:           # Numba's cache files are unreadable
                warnings.warn(f"groggy-jit: cached machine code for {name} could not be "
                              f"loaded ({type(first).__name__}: {first}); recompiling",
                              RuntimeWarning, stacklevel=3)
                for f in _numba_files(directory, name):
                    f.unlink(missing_ok=True)
                try:
                    function = self._import(name, path)
                except Exception as second:
                    detail = str(second).strip().splitlines()
                    raise CompileError(f"the generated kernel {path} failed to compile "
                                       f"({type(second).__name__}: {detail[0] if detail else ''}"
                                       "). This is a groggy-jit bug; please report it with "
                                       "that file") from second
            seconds = time.perf_counter() - start
        hits = function.stats.cache_hits
        return LoadedKernel(function, path, from_disk=sum(hits.values()) > 0, seconds=seconds)

    @staticmethod
    def _ensure_source(path: Path, name: str, source_text: str) -> None:
        if path.exists():
            if path.read_text(encoding="utf-8", errors="replace") == source_text:
                return
            warnings.warn(f"groggy-jit: cache file {path} does not match its hash (truncated "
                          "or edited); rebuilding it", RuntimeWarning, stacklevel=4)
            for f in _numba_files(path.parent, name):
                f.unlink(missing_ok=True)
        _write_atomic(path, source_text)

    @staticmethod
    def _import(name: str, path: Path):
        sys.modules.pop(name, None)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module           # Numba's cache locates the module through this
        try:
            spec.loader.exec_module(module)
        except Exception:
            sys.modules.pop(name, None)
            raise
        return module.kernel


def cache_info() -> dict:
    """Entries and sizes of the cache directory for this version tag and all others."""
    root = cache_root()
    entries = []
    if root.exists():
        for tag in sorted(p for p in root.iterdir() if p.is_dir()):
            for src in sorted(tag.glob("groggy_jit_kernel_*.py")):
                machine = _numba_files(tag, src.stem)
                size = src.stat().st_size + sum(f.stat().st_size for f in machine)
                entries.append({"tag": tag.name, "kernel": src.stem, "bytes": size,
                                "compiled": any(f.suffix == ".nbc" for f in machine)})
    return {"root": str(root), "entries": entries,
            "bytes": sum(e["bytes"] for e in entries)}


def cache_clear() -> int:
    """Delete every cache entry; returns how many kernels were removed."""
    import shutil
    root = cache_root()
    count = len(cache_info()["entries"])
    if root.exists():
        for tag in root.iterdir():
            if tag.is_dir():
                shutil.rmtree(tag, ignore_errors=True)
    return count


DEFAULT_CACHE = KernelCache()
