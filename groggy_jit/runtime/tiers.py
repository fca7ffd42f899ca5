"""Tiers: answer a call with the interpreter while a background process compiles the kernel.

A kernel that is neither loaded nor cached on disk costs seconds to compile.  In ``auto``
mode the first call starts that compile in a separate Python process (Numba's compile
holds the GIL, and OpenMP is not fork-safe, so the child is a fresh interpreter, never a
fork) which fills the disk cache through the same ``KernelCache.load`` and file lock a
foreground compile uses.  Meanwhile the call runs on the reference interpreter when the
cost model predicts that is faster, checking between loop rounds whether the kernel has
landed; if it has, the interpreted run is dropped and the kernel answers (a restart, so
the result is exactly the kernel's).  Later calls use the kernel as soon as it exists.

If the calling process exits first, the child finishes on its own: every file it writes
is written atomically, and a child killed mid-compile leaves at worst a kernel module
without machine code, which the next process compiles again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from ..errors import ParameterError
from .cache import DEFAULT_CACHE, ENV_DIR, cache_root, compiled_on_disk, module_name

ENV_TIER = "GROGGY_JIT_TIER"
TIERS = ("auto", "kernel", "interpret")

# The interpreter's cost, fitted on the catalogue (kron9-kron11, this 2-core machine):
# numpy work per planned operation, Python work per node of every pull (its per-node
# reduction loop), per arc of a common-neighbours pass (set intersections), per step.
INTERPRET_SECONDS_PER_OP = 1e-8
INTERPRET_SECONDS_PER_PULL_NODE = 2e-6
INTERPRET_SECONDS_PER_INTERSECTION = 3e-6
# ops whose numpy meaning scans neighbour lists in Python, arc by arc
NEIGHBOURHOOD_SCANS = ("common_neighbors", "triangles", "triangle_weights", "reverse_arcs")
INTERPRET_SECONDS_PER_STEP = 2e-5
# A cold compile: a fixed part (the child's imports, Numba's set-up) and a part per
# parallel loop (each prange body is compiled as a function of its own, and lowering and
# LLVM are most of a compile); then this process loads the cached kernel.  Fitted to
# bench.compile's cold first calls on kron10 (degree 3.1 s, 1 loop; pagerank 3.6 s, 3;
# betweenness 8.9 s, 8).
COMPILE_SECONDS_FIXED = 1.1
COMPILE_SECONDS_PER_LOOP = 0.85
LOAD_SECONDS = 0.6


def requested_tier(tier: str | None = None) -> str:
    """The tier asked for: the argument, else ``GROGGY_JIT_TIER``, else ``auto``."""
    source = "tier" if tier is not None else ENV_TIER
    chosen = tier if tier is not None else os.environ.get(ENV_TIER, "auto")
    if chosen not in TIERS:
        raise ParameterError(f"{source}={chosen!r} is not a tier; use one of "
                             f"{', '.join(TIERS)}")
    return chosen


class KernelLanded(Exception):
    """Raised between interpreted loop rounds: the compiled kernel is ready, use it."""


# The child imports this very groggy_jit (a source checkout too), then compiles.
_CHILD = ("import os, sys; getattr(os, 'nice', int)(int(sys.argv[2])); "
          "sys.path.insert(0, sys.argv[1]); "
          "from groggy_jit.runtime.tiers import compile_from_stdin; "
          "sys.exit(compile_from_stdin())")
# A compile behind an interpreted run yields the CPU to it: Linux shares a core between
# the processes of one session (autogroup), and at equal priority the child halved the
# interpreter's speed on a busy machine (label propagation on kron12: 2.3 -> 5.5 s; at
# nice 19, 3.3 -> 3.2 s; triangles +1 to +2 s, at nice 19 +0.02 to +0.25 s).
BEHIND_INTERPRETER_NICE = 19


class BackgroundCompile:
    """One child process compiling one kernel source into the disk cache."""

    def __init__(self, source_text: str, nice: int = 0):
        self.name = module_name(source_text)
        env = os.environ.copy()
        env[ENV_DIR] = str(cache_root())        # the same cache, even if resolved by default
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(Path(__file__).resolve().parents[2]), str(nice)],
            env=env,
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with self.process.stdin as pipe:
            pipe.write(source_text.encode())

    @property
    def pid(self) -> int:
        return self.process.pid

    def done(self) -> bool:
        return self.process.poll() is not None

    def succeeded(self) -> bool:
        return self.process.poll() == 0

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the child; True if it compiled the kernel."""
        try:
            return self.process.wait(timeout) == 0
        except subprocess.TimeoutExpired:
            return False


_JOBS: dict[str, BackgroundCompile] = {}
_JOBS_LOCK = threading.Lock()


def start_compile(source_text: str, nice: int = 0) -> BackgroundCompile | None:
    """The background compile of ``source_text``, started unless one is under way.

    None when no child can be started, or an earlier one failed: then the caller compiles
    in the foreground, where a compile error is reported as such.
    """
    name = module_name(source_text)
    with _JOBS_LOCK:                     # threads of a map: one child per kernel
        job = _JOBS.get(name)
        if job is not None:
            return None if job.done() and not job.succeeded() else job
        try:
            job = BackgroundCompile(source_text, nice)
        except OSError:
            return None
        _JOBS[name] = job
        return job


def background_job(source_text: str) -> BackgroundCompile | None:
    return _JOBS.get(module_name(source_text))


def wait_all(timeout: float | None = None) -> None:
    """Wait for every background compile this process started."""
    for job in list(_JOBS.values()):
        job.wait(timeout)


def kernel_ready(source_text: str) -> bool:
    """The compiled kernel is loaded, or its machine code is in the disk cache."""
    if module_name(source_text) in DEFAULT_CACHE.memory:
        return True
    job = background_job(source_text)
    if job is not None and not job.done():
        return False                            # its files are still being written
    return compiled_on_disk(source_text)


def choose(tier: str | None, source_text: str,
           costs: Callable[[], tuple[float, float]]) -> str:
    """``kernel`` or ``interpret`` for one call.

    ``costs()`` gives the predicted seconds of the interpreted run and of compiling and
    running the kernel; it is only asked in ``auto`` mode when the kernel is not ready.
    """
    tier = requested_tier(tier)
    if tier == "interpret":
        return tier
    job = background_job(source_text)
    if tier == "auto" and not kernel_ready(source_text):
        interpret_seconds, kernel_seconds = costs()
        interpreting = interpret_seconds < kernel_seconds
        job = start_compile(source_text, BEHIND_INTERPRETER_NICE if interpreting else 0)
        if job is not None and interpreting:
            return "interpret"
    if job is not None:
        job.wait()          # a compile under way: load its result instead of racing it
    return "kernel"


def switch_check(source_text: str) -> Callable[[], None] | None:
    """A callback for between interpreted loop rounds: raises once the kernel has landed."""
    job = background_job(source_text)
    if job is None:
        return None

    def check() -> None:
        if job.done() and job.succeeded():
            raise KernelLanded(job.name)
    return check


def predicted_seconds(estimate, parallel_loops: int) -> tuple[float, float]:
    """(interpreter, compile + load + kernel run) seconds for one call.

    ``estimate`` is ``estimate_performance``'s, best made with one iteration per loop: the
    interpreter's prediction is then a lower bound, and an interpreted run that turns out
    longer switches to the kernel when it lands.
    """
    interpret = 0.0
    for row in estimate.rows:
        if row.kind in ("scalar", "loop"):
            continue
        per_run = row.ops * INTERPRET_SECONDS_PER_OP + INTERPRET_SECONDS_PER_STEP
        if any(op in row.label for op in NEIGHBOURHOOD_SCANS):
            per_run += estimate.num_edges * INTERPRET_SECONDS_PER_INTERSECTION
        elif "pull" in row.label:
            per_run += estimate.num_nodes * INTERPRET_SECONDS_PER_PULL_NODE
        interpret += per_run * row.runs
    kernel = (COMPILE_SECONDS_FIXED + COMPILE_SECONDS_PER_LOOP * parallel_loops
              + LOAD_SECONDS + estimate.seconds)
    return interpret, kernel


def compile_all(sources: Iterable[str], processes: int,
                progress: Callable[[str], None] | None = None) -> list[str]:
    """Compile kernel sources into the disk cache, ``processes`` children at a time.

    ``progress(source)`` is called as each one is done (or found cached); returns the
    sources whose compile failed.  ``groggy-jit warm`` uses this.
    """
    pending = list(dict.fromkeys(sources))
    running: dict[BackgroundCompile, str] = {}
    failed = []
    while pending or running:
        while pending and len(running) < max(1, processes):
            source = pending.pop(0)
            if compiled_on_disk(source):
                if progress:
                    progress(source)
            else:
                running[BackgroundCompile(source)] = source
        for job in [j for j in running if j.done()]:
            source = running.pop(job)
            if not job.succeeded():
                failed.append(source)
            if progress:
                progress(source)
        time.sleep(0.05)
    return failed


def compile_from_stdin() -> int:
    """The child: compile the kernel whose source arrives on stdin into the disk cache."""
    source_text = sys.stdin.buffer.read().decode()
    DEFAULT_CACHE.load(source_text)
    return 0
