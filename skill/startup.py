"""Loading a process's modules and long-lived objects without paying the cyclic GC for them.

A cold start imports several hundred modules (the ASK SDK, SQLAlchemy, ours) and builds
thousands of classes and functions, all of which live as long as the process. While they load,
the cyclic garbage collector runs over and over (every few hundred allocations), and each
older-generation pass walks everything loaded so far; at exit the interpreter walks it all once
more. Measured on the Lambda ZIP, that was about a quarter of a first "what data do you keep"
(``bench/cold_data_bench.py``). So: pause the collector while loading, then freeze what was
loaded (``gc.freeze``: moved to a generation no collection visits) and resume it. This is the
pattern CPython documents for ``gc.freeze`` (and what pre-forking servers do).

The price: a reference cycle that became garbage while loading is kept for the life of the
process. Imports and set-up make few; nothing here runs per request.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["loading"]


@contextmanager
def loading() -> Iterator[None]:
    """Run a block of imports and one-time set-up with the cyclic GC paused; then freeze
    what it loaded and resume the GC (if it was running). Nested blocks freeze once, at the
    outermost block's end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
