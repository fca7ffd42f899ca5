"""What the caller wants done when a kernel reports that a loop stopped at its limit.

Every ``until_converged`` loop that did not meet its tolerance, and every
``while_any`` loop whose mask was still set at its round limit, reports
``converged=False``. ``on_nonconvergence`` turns that into an error, a warning,
or nothing. The defaults: ``algo(G)``, which returns only the values, raises (as
networkx raises ``PowerIterationFailedConvergence``); ``algo.run(G)``, whose
``Result`` reports ``converged``, warns, so a fixed iteration budget (GAP's
PageRank rule) is a legitimate use.
"""

from __future__ import annotations

import math
import warnings

from ..errors import ConvergenceError, ParameterValueError

POLICIES = ("raise", "warn", "ignore")
CALL_POLICY = "raise"         # algo(G): values only, so never silently unconverged
RUN_POLICY = "warn"           # algo.run(G) / interpret(G): the Result says converged=False


class ConvergenceWarning(RuntimeWarning):
    """A loop stopped at its iteration limit; issued with ``on_nonconvergence="warn"``."""


def check_policy(policy) -> str:
    if policy not in POLICIES:
        raise ParameterValueError(f"on_nonconvergence={policy!r} is not a choice; pass one of "
                                  + ", ".join(repr(p) for p in POLICIES))
    return policy


def report_nonconvergence(result, policy: str, name: str):
    """Return ``result``, or raise / warn as ``policy`` says if a loop did not converge."""
    stuck = [(k, loop) for k, loop in enumerate(result.loops) if loop.converged is False]
    if not stuck or policy == "ignore":
        return result
    k, loop = stuck[0]
    which = f"loop {k + 1} of {len(result.loops)}" if len(result.loops) > 1 else "its loop"
    if loop.residual is not None and math.isnan(loop.residual):
        # raising max_iter cannot help: the values themselves became undefined
        message = (f"{name} did not converge: {which} stopped at its limit after "
                   f"{loop.iterations} iteration(s) with NaN values (a division by zero, e.g. "
                   "normalizing all-zero scores on a graph without edges); check the graph and "
                   "the start values")
    else:
        last = "" if loop.residual is None else f", its last change {loop.residual:.3g}"
        message = (f"{name} did not converge: {which} stopped at its limit after "
                   f"{loop.iterations} iteration(s){last}. Raise max_iter (or tol), or pass "
                   "on_nonconvergence='warn' or 'ignore' to take the result as it is")
    if policy == "raise":
        raise ConvergenceError(message, result)
    warnings.warn(message, ConvergenceWarning, stacklevel=4)
    return result
