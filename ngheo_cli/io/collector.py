"""Python's cyclic garbage collector paused around building many small live objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """The cyclic collector paused, then restored as it was (also on error). Building a
    few hundred thousand small objects that stay alive (a year's stored rows, a workbook's
    cells) would make it walk the whole heap again and again for no garbage. Objects freed
    meanwhile are freed as always (reference counts); cycles wait for the next collection."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
