"""Loading a process's modules and long-lived objects without paying the cyclic GC for them.

A cold start imports several hundred modules (the ASK SDK, SQLAlchemy, ours) and builds
thousands of classes and functions, all of which live as long as the process. While they load,
the cyclic garbage collector runs over and over (every few hundred allocations), and each
older-generation pass walks everything loaded so far; at exit the interpreter walks it all once
more. Measured on the Lambda ZIP, that was about a quarter of a first "what data do you keep"
(``bench/cold_data_bench.py``). So: pause the collector while loading, then freeze what was
loaded (``gc.freeze``: moved to a generation no collection visits) and resume it. This is the
pattern CPython documents for ``gc.freeze`` (and what pre-forking servers do).

The price: a reference cycle that is garbage when the block ends is kept for the life of the
process. So a block freezes only when it loaded modules (a cold process); the same block run
again in a warm process (the test suite opens services hundreds of times) only pauses the GC,
and leaves the engines and pools of earlier runs to be collected as before.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["loading"]


@contextmanager
def loading() -> Iterator[None]:
    """Run a block of imports and one-time set-up with the cyclic GC paused; then, if it
    imported modules, freeze what is loaded; resume the GC (if it was running). Nested blocks
    freeze once, at the outermost block's end."""
    was_enabled = gc.isenabled()
    modules = len(sys.modules)
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if len(sys.modules) > modules:
                gc.freeze()
            gc.enable()
