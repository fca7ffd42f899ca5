"""Every error groggy-jit raises on purpose is a ``GroggyJITError``.

Each subclass names one kind of problem so callers can catch exactly what they
can handle; messages say what was wrong, with which value, and what to do.
"""

__all__ = [
    "GroggyJITError",
    "GraphInputError",
    "ParameterError",
    "ParameterValueError",
    "KindError",
    "IRError",
    "CycleError",
    "TraceError",
    "PlanFormatError",
    "CacheError",
    "CompileError",
    "PipelineError",
    "MissingDependencyError",
    "UsageError",
    "ConvergenceError",
    "ThreadingError",
    "PartitionError",
]


class GroggyJITError(Exception):
    """Base class of all groggy-jit errors."""


class GraphInputError(GroggyJITError, ValueError):
    """The graph given to an algorithm cannot be used (shape, values, type)."""


class ParameterError(GroggyJITError, TypeError):
    """An algorithm was called with an unknown, missing or mistyped parameter."""


class ParameterValueError(ParameterError, ValueError):
    """A parameter has the right type but a value outside its domain (e.g. damping=1.5)."""


class KindError(GroggyJITError, TypeError):
    """An op got values of the wrong kind (node map / edge map / scalar) or dtype."""


class IRError(GroggyJITError):
    """An IR graph is malformed (dangling reference, bad loop, unknown op)."""


class CycleError(IRError):
    """An IR graph has a dependency cycle outside of a loop construct."""


class TraceError(GroggyJITError):
    """A Python algorithm could not be traced into IR (e.g. ``if`` on a traced value)."""


class PlanFormatError(GroggyJITError, ValueError):
    """A serialized plan is malformed or from an unsupported format version."""


class CacheError(GroggyJITError):
    """The compile cache could not be used (permissions, corrupted entries)."""


class CompileError(GroggyJITError):
    """Generated code failed to compile; this is a groggy-jit bug, please report it."""


class PipelineError(GroggyJITError):
    """One input of a ``map`` failed; ``failure`` names it, ``results`` holds those before it."""

    def __init__(self, message: str, failure=None):
        super().__init__(message)
        self.failure = failure
        self.results = []


class MissingDependencyError(GroggyJITError, ImportError):
    """An optional package that this feature needs is not installed."""


class UsageError(GroggyJITError):
    """A command line named an unknown algorithm, a missing file or a bad option."""


class ConvergenceError(GroggyJITError, RuntimeError):
    """A loop stopped at its iteration limit without converging (networkx raises here too).

    Raised when the caller chose ``on_nonconvergence="raise"`` (the default of ``algo(G)``); ``result``
    holds what the kernel computed, with ``iterations`` and ``converged``.
    """

    def __init__(self, message: str, result=None):
        super().__init__(message)
        self.result = result


class ThreadingError(GroggyJITError, RuntimeError):
    """A kernel cannot run in this process (e.g. forked after GNU OpenMP was used)."""


class PartitionError(GroggyJITError, ValueError):
    """An algorithm (or a part of it) cannot run split across partitions of a graph."""
