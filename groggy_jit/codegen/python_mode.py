"""Run generated kernel source as plain Python: ``prange`` is ``range``, no Numba.

Slow, but it needs no compile, so tests can check the generated code's meaning
on thousands of programs in seconds; a sample is still compiled for real.
"""

from __future__ import annotations

import numpy as np

from .emit import KernelSource
from .helpers import HELPERS


def load_python(source: KernelSource):
    """The kernel function of ``source``, executed by the Python interpreter."""
    namespace = {"np": np, "prange": range, **{f.__name__: f for f in HELPERS}}
    exec(compile(source.function, "<groggy-jit kernel>", "exec"), namespace)
    kernel = namespace["kernel"]

    def run(*args):
        with np.errstate(all="ignore"):
            return kernel(*args)
    return run
