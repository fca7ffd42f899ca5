"""A line on the terminal while a kernel compiles, so a pause of seconds never looks like a hang."""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager

# Loading machine code from the disk cache finishes well within this; compiling takes seconds.
DELAY_SECONDS = 0.5
# None: shown when stderr is a terminal; the command line's --quiet sets False.
enabled: bool | None = None


class Load:
    """What the caller learnt: set ``from_cache`` when the kernel was only loaded."""
    from_cache = False


@contextmanager
def compile_notice(name: str):
    """Around a kernel load: after DELAY_SECONDS print ``compiling NAME…``, then the time."""
    stream = sys.stderr
    load = Load()
    if not (stream.isatty() if enabled is None else enabled):
        yield load
        return
    start = time.perf_counter()
    shown = threading.Event()

    def show():
        stream.write(f"compiling {name}…")
        stream.flush()
        shown.set()
    timer = threading.Timer(DELAY_SECONDS, show)
    timer.daemon = True
    timer.start()
    try:
        yield load
    finally:
        timer.cancel()
        timer.join()
        if shown.is_set():
            where = " (found in the disk cache)" if load.from_cache else ""
            stream.write(f"{where}, {time.perf_counter() - start:.1f} s\n")
            stream.flush()
