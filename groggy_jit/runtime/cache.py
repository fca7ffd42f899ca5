"""The kernel cache: generated modules on disk, Numba's machine code beside them.

A kernel's module is written once to ``<cache dir>/<name>.py`` where ``name``
comes from the sha256 of its source, then imported with the module registered
in ``sys.modules`` first, so Numba's ``cache=True`` can store and later find the
compiled machine code.  A file whose content does not match is never imported:
it is rewritten.  A per-kernel file lock makes concurrent first compiles wait
for one another instead of racing on Numba's index file.

Only what groggy-jit made is ever touched: version directories under a root
marked with our ``CACHEDIR.TAG``, and files named after kernels.  A root that
holds anything else is refused; so is one that a less trusted user can write
(loading a kernel runs its code).  A cache that cannot be written (full disk,
read-only) still works: the kernel is compiled in memory, with one warning.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import importlib.util
import os
import platform
import re
import stat
import sys
import tempfile
import threading
import time
import types
import warnings
from dataclasses import dataclass
from pathlib import Path

from ..version import __version__
from ..errors import CacheError, CompileError
from .launch import prepare_threads

# Bump to invalidate every cache entry (part of the directory name).
CACHE_VERSION = 1
ENV_DIR = "GROGGY_JIT_CACHE_DIR"
SHARED_ENV = "GROGGY_JIT_SHARED_CACHE"


def cache_root() -> Path:
    """``GROGGY_JIT_CACHE_DIR`` if set, else the user's cache directory."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env).expanduser()
    import platformdirs
    return Path(platformdirs.user_cache_dir("groggy-jit", appauthor=False))


@functools.lru_cache(maxsize=1)
def version_tag() -> str:
    """Everything that changes machine code for the same source: a directory name.

    Numba's version comes from its package metadata, so that asking whether a kernel is
    cached does not import Numba (0.3-0.4 s), which the interpreter tier never needs.
    """
    from importlib.metadata import version
    import llvmlite.binding as llvm
    import numpy
    numba_version = version("numba")
    numpy_minor = ".".join(numpy.__version__.split(".")[:2])
    python = f"{sys.version_info.major}{sys.version_info.minor}"
    cpu = llvm.get_host_cpu_name().replace("/", "_")
    return (f"v{CACHE_VERSION}-gj{__version__}-numba{numba_version}-np{numpy_minor}"
            f"-py{python}-{platform.machine()}-{cpu}")


# What groggy-jit creates under a cache root, and nothing else: the only names
# ``cache clear`` and every other cache operation ever touch.
TAG_FILE = "CACHEDIR.TAG"        # the Cache Directory Tagging convention: backups skip it
_TAG_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55"
_TAG_TEXT = (f"{_TAG_SIGNATURE}\n# This directory is the kernel cache of groggy-jit; "
             "'python -m groggy_jit cache clear' empties it.\n")
_VERSION_DIR = re.compile(r"v\d+-[A-Za-z0-9_.+-]+")
_KERNEL_NAME = re.compile(r"groggy_jit_kernel_[0-9a-f]+")
_KERNEL_FILE = re.compile(r"(groggy_jit_kernel_[0-9a-f]+)\.(py|lock|py.+\.tmp)")

# Errors that mean "this cache cannot be written", not "this cache is broken": the
# kernel is then compiled in memory and runs anyway.
_UNWRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT,
               errno.EFBIG, errno.ENOENT}


class CacheUnwritable(Exception):
    """The cache directory cannot take a new kernel (read-only, full, removed meanwhile)."""


def _is_version_dir(path: Path) -> bool:
    return bool(_VERSION_DIR.fullmatch(path.name)) and path.is_dir() and not path.is_symlink()


def _made_by_us(path: Path) -> bool:
    """An entry of a cache root that groggy-jit made: a version directory, or the tag (or its
    temporary file while another process writes it)."""
    name = path.name
    return _is_version_dir(path) or name == TAG_FILE or (name.startswith(TAG_FILE)
                                                         and name.endswith(".tmp"))


def _is_our_tag_file(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return text.startswith(_TAG_SIGNATURE) and "groggy-jit" in text


def check_root(root: Path) -> None:
    """Refuse a root that holds anything groggy-jit did not make (unless it carries our tag)."""
    if not root.exists():
        return
    if not root.is_dir():
        raise CacheError(f"cache directory {root} is not a directory; set {ENV_DIR} to a "
                         "directory groggy-jit can use")
    if _is_our_tag_file(root / TAG_FILE):
        return
    foreign = sorted(p.name for p in root.iterdir() if not _made_by_us(p))
    if foreign:
        shown = ", ".join(repr(f) for f in foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise CacheError(f"{root} does not look like a groggy-jit cache: it holds "
                         f"{len(foreign)} entr{'y' if len(foreign) == 1 else 'ies'} groggy-jit did "
                         f"not make ({shown}) and no {TAG_FILE} of ours, so groggy-jit will neither "
                         f"write into it nor clear it; set {ENV_DIR} to a directory of its own, "
                         f"e.g. {root / 'groggy-jit'}")


def shared_cache() -> bool:
    """``GROGGY_JIT_SHARED_CACHE=1``: every user of the cache's group is trusted to write it."""
    return os.environ.get(SHARED_ENV, "") not in ("", "0")


def _check_trusted(path: Path) -> None:
    """Loading a kernel runs its code: only follow directories that no less trusted user can write."""
    if not hasattr(os, "getuid"):               # no POSIX owners and modes (Windows)
        return
    info = path.stat()
    mode = stat.S_IMODE(info.st_mode)
    shared = shared_cache()
    if info.st_uid not in (os.getuid(), 0) and not shared:
        raise CacheError(f"cache directory {path} belongs to another user (uid {info.st_uid}): "
                         "loading its kernels would run code that user wrote. Use a cache of "
                         f"your own ({ENV_DIR}), or set {SHARED_ENV}=1 if every writer of this "
                         "team cache is trusted")
    writable_by_others = mode & (0o002 if shared or _private_group(info.st_gid) else 0o022)
    if writable_by_others:
        who = "every user" if mode & 0o002 else "its group"
        fix = (f"chmod o-w {path}" if shared or mode & 0o002 else
               f"chmod go-w {path}, or set {SHARED_ENV}=1 if everyone in the group is trusted")
        raise CacheError(f"cache directory {path} (mode {mode:04o}) can be written by {who}: "
                         f"loading its kernels would run code they wrote; {fix}")


def _private_group(gid: int) -> bool:
    """A user-private group (named after the user, no other members): its write bit is ours."""
    import grp
    import pwd
    try:
        group = grp.getgrgid(gid)
        return group.gr_name == pwd.getpwuid(os.getuid()).pw_name and not group.gr_mem
    except KeyError:
        return False


def _make_private_dir(path: Path, parents: bool = False) -> None:
    """Create ``path`` (0700, or 0770 for a shared cache); an existing directory keeps its mode."""
    mode = 0o770 if shared_cache() else 0o700
    try:
        path.mkdir(mode=mode, parents=parents)
    except FileExistsError:
        return                                  # another process made it, or it was there
    os.chmod(path, mode)                        # mkdir's mode is masked by the umask


def kernel_dir() -> Path:
    """This version's kernel directory, created if needed; raises CacheError or CacheUnwritable."""
    root = cache_root()
    path = root / version_tag()
    try:
        if not root.exists():
            _make_private_dir(root, parents=True)
        check_root(root)
        if not (root / TAG_FILE).exists():
            try:
                _write_atomic(root / TAG_FILE, _TAG_TEXT)
            except OSError:
                pass                            # a read-only cache needs no tag
        _check_trusted(root)
        if not path.exists():
            _make_private_dir(path)
        _check_trusted(path)
    except OSError as e:
        if e.errno in _UNWRITABLE:
            raise CacheUnwritable(f"cannot create {path}: {e.strerror}") from None
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


def compiled_on_disk(source_text: str) -> bool:
    """The cache holds this kernel's module and Numba's machine code for it (no import)."""
    name = module_name(source_text)
    directory = cache_root() / version_tag()
    if not _is_file_with(directory / f"{name}.py", source_text):
        return False
    suffixes = {f.suffix for f in _numba_files(directory, name)}
    return {".nbi", ".nbc"} <= suffixes


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
        self._warned: set[str] = set()       # one warning per unusable cache directory

    def load(self, source_text: str) -> tuple[LoadedKernel, str]:
        """The kernel for ``source_text`` and where it came from: memory, disk or compile."""
        name = module_name(source_text)
        if name in self.memory:
            return self.memory[name], "memory"
        with self._lock:
            if name in self.memory:
                return self.memory[name], "memory"
            prepare_threads()
            install_locator()
            kernel = self._load(name, source_text)
            self.memory[name] = kernel
        return kernel, "disk" if kernel.from_disk else "compile"

    def _load(self, name: str, source_text: str) -> LoadedKernel:
        """From the disk cache; if it cannot be written, compiled in memory with one warning."""
        for attempt in (1, 2):
            try:
                return self._load_from_disk(name, source_text)
            except CacheUnwritable as e:
                reason = str(e)
                break
            except OSError as e:
                if e.errno not in _UNWRITABLE:
                    raise
                reason = f"{e.strerror}: {e.filename or ''}".rstrip(": ")
                if e.errno != errno.ENOENT:
                    break                       # else a cache clear removed it meanwhile: remake
        where = str(cache_root())
        if where not in self._warned:
            self._warned.add(where)
            warnings.warn(f"groggy-jit: the kernel cache {where} cannot be written ({reason}); "
                          "kernels are compiled in memory and compiled again in the next "
                          f"process. Free space, make it writable, or set {ENV_DIR}",
                          RuntimeWarning, stacklevel=4)
        return self._compile_in_memory(name, source_text)

    def has_compiled(self, source_text: str) -> bool:
        """Whether the kernel is loaded, or an earlier process saved its machine code."""
        name = module_name(source_text)
        return name in self.memory or bool(_numba_files(kernel_dir(), name))

    def _load_from_disk(self, name: str, source_text: str) -> LoadedKernel:
        directory = kernel_dir()
        path = directory / f"{name}.py"
        if not os.access(directory, os.W_OK):
            return self._load_read_only(name, path, source_text)
        from filelock import FileLock
        with FileLock(str(directory / f"{name}.lock")):
            self._ensure_source(path, name, source_text)
            start = time.perf_counter()
            try:
                function = self._import(name, path)
            except OSError as e:
                if e.errno in _UNWRITABLE:    # Numba could not save the machine code
                    raise
                function = self._reimport(name, path, e)
            except Exception as first:
                function = self._reimport(name, path, first)
            seconds = time.perf_counter() - start
        return LoadedKernel(function, path, from_disk=_hit(function), seconds=seconds)

    def _load_read_only(self, name: str, path: Path, source_text: str) -> LoadedKernel:
        """A warm cache nobody may write (e.g. shipped read-only): load it, change nothing."""
        if not _is_file_with(path, source_text) or not any(
                f.suffix == ".nbi" for f in _numba_files(path.parent, name)):
            raise CacheUnwritable(f"{path.parent} is read-only and holds no machine code "
                                  f"for {name}")
        start = time.perf_counter()
        try:
            function = self._import(name, path)
        except OSError:
            raise
        except Exception as e:              # damaged machine code we may not replace
            raise CacheUnwritable(f"{path.parent} is read-only and its machine code for {name} "
                                  f"cannot be loaded ({type(e).__name__})") from None
        return LoadedKernel(function, path, from_disk=_hit(function),
                            seconds=time.perf_counter() - start)

    def _reimport(self, name: str, path: Path, first: Exception):
        """Numba's cache files are unreadable: delete them and compile once more."""
        warnings.warn(f"groggy-jit: cached machine code for {name} could not be "
                      f"loaded ({type(first).__name__}: {first}); recompiling",
                      RuntimeWarning, stacklevel=5)
        for f in _numba_files(path.parent, name):
            f.unlink(missing_ok=True)
        try:
            return self._import(name, path)
        except OSError as second:
            if second.errno in _UNWRITABLE:
                raise
            raise _compile_error(path, second) from second
        except Exception as second:
            raise _compile_error(path, second) from second

    @staticmethod
    def _compile_in_memory(name: str, source_text: str) -> LoadedKernel:
        """Compile without touching the disk (Numba's cache needs a file, so it is switched off)."""
        text = source_text.replace("cache=True", "cache=False")
        module = types.ModuleType(name)
        start = time.perf_counter()
        try:
            exec(compile(text, f"<groggy-jit kernel {name}>", "exec"), module.__dict__)
        except Exception as e:
            raise _compile_error(Path(f"<memory>/{name}.py"), e) from e
        return LoadedKernel(module.kernel, Path(f"<memory>/{name}.py"), from_disk=False,
                            seconds=time.perf_counter() - start)

    @staticmethod
    def _ensure_source(path: Path, name: str, source_text: str) -> None:
        if _is_file_with(path, source_text):
            return
        if path.exists() or path.is_symlink():
            warnings.warn(f"groggy-jit: cache file {path} does not match its hash (truncated, "
                          "edited or not a file); rebuilding it", RuntimeWarning, stacklevel=5)
            _remove(path)
            for f in _numba_files(path.parent, name):
                _remove(f)
        _write_atomic(path, source_text)

    @staticmethod
    def _import(name: str, path: Path):
        sys.modules.pop(name, None)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module           # Numba's cache locates the module through this
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        return module.kernel


def _hit(function) -> bool:
    """Whether Numba found machine code that an earlier process cached."""
    return sum(function.stats.cache_hits.values()) > 0


def _compile_error(path: Path, error: Exception) -> CompileError:
    detail = str(error).strip().splitlines()
    return CompileError(f"the generated kernel {path} failed to compile "
                        f"({type(error).__name__}: {detail[0] if detail else ''}). This is a "
                        "groggy-jit bug; please report it with that file")


def _is_file_with(path: Path, text: str) -> bool:
    """``path`` is a regular file (not a link or directory) holding exactly ``text``."""
    try:
        if path.is_symlink() or not path.is_file():
            return False
        return path.read_text(encoding="utf-8", errors="replace") == text
    except OSError:
        return False


def _remove(path: Path) -> None:
    """Delete one of our own entries, whatever it became (file, link or directory)."""
    import shutil
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


_LOCATOR = None


def install_locator() -> None:
    """Make Numba keep our kernels' machine code beside them, and nowhere else.

    Numba's own locators skip a ``__pycache__`` they cannot write and fall back to
    ``~/.cache/numba``, where ``cache info`` and ``clear`` would never see it, and a
    read-only warm cache would be compiled again. This one claims exactly the files
    in our version directories, readable or not; saving to a read-only one fails
    with an ``OSError`` that the loader turns into an in-memory compile.
    """
    global _LOCATOR
    if _LOCATOR is not None:
        return
    from numba.core import caching

    class KernelLocator(caching.InTreeCacheLocator):
        @classmethod
        def from_function(cls, py_func, py_file):
            path = Path(py_file)
            if _KERNEL_NAME.fullmatch(path.stem) and path.suffix == ".py" \
                    and _VERSION_DIR.fullmatch(path.parent.name) and path.is_file():
                return cls(py_func, py_file)
            return None

    caching.CacheImpl._locator_classes.insert(0, KernelLocator)
    _LOCATOR = KernelLocator


# --- maintenance: info and clear touch only what groggy-jit made ------------------------------

def _our_entries(root: Path) -> list[tuple[Path, str]]:
    """``(version dir, kernel name)`` of every kernel under ``root``, files vanishing meanwhile skipped."""
    found = []
    for tag in sorted(p for p in root.iterdir() if _is_version_dir(p)):
        names = set()
        for f in tag.iterdir():
            match = _KERNEL_FILE.fullmatch(f.name)
            if match:
                names.add(match.group(1))
        found += [(tag, name) for name in sorted(names)]
    return found


def _size(path: Path) -> int:
    try:
        return path.lstat().st_size             # a dangling link or a vanished file: no error
    except OSError:
        return 0


def cache_info() -> dict:
    """Entries and sizes of the cache directory for this version tag and all others."""
    root = cache_root()
    entries = []
    if root.is_dir():
        check_root(root)
        for tag, name in _our_entries(root):
            source = tag / f"{name}.py"
            if not (source.exists() or source.is_symlink()):
                continue                         # only a lock or temp file is left
            machine = _numba_files(tag, name)
            entries.append({"tag": tag.name, "kernel": name,
                            "bytes": _size(source) + sum(map(_size, machine)),
                            "compiled": any(f.suffix == ".nbc" for f in machine)})
    return {"root": str(root), "entries": entries,
            "bytes": sum(e["bytes"] for e in entries)}


def cache_clear() -> int:
    """Delete every kernel groggy-jit cached, and nothing else; returns how many were removed.

    Each kernel is removed under its lock, so a process compiling it at that moment
    finishes first. A root that holds other files is refused (CacheError).
    """
    from filelock import FileLock
    root = cache_root()
    if not root.is_dir():
        return 0
    check_root(root)
    count = 0
    try:
        for tag, name in _our_entries(root):
            lock = tag / f"{name}.lock"
            with FileLock(str(lock)):
                source = tag / f"{name}.py"
                count += source.exists() or source.is_symlink()
                for f in [source, *_numba_files(tag, name), *tag.glob(f"{name}.py*.tmp")]:
                    _remove(f)
            lock.unlink(missing_ok=True)
    except OSError as e:
        raise CacheError(f"cannot clear {e.filename or root}: {e.strerror}; the cache is "
                         "read-only for you: ask its owner, or use your own with "
                         f"{ENV_DIR}") from None
    for tag in (p for p in root.iterdir() if _is_version_dir(p)):
        for directory in (tag / "__pycache__", tag):
            try:
                directory.rmdir()               # only when empty: nothing of anyone else's
            except OSError:
                pass
    if [p.name for p in root.iterdir()] == [TAG_FILE]:
        (root / TAG_FILE).unlink(missing_ok=True)
    return count


DEFAULT_CACHE = KernelCache()
