"""glibc malloc settings for the long-running gateway; no-ops on any other libc.

The gateway is small and mostly idle, so what matters is how much memory it keeps
resident, not how fast threads allocate concurrently:

* glibc gives every thread that allocates its own arena (up to 8 per core), and each
  keeps its freed memory for itself. The gateway has several threads (the event loop,
  the store's writer, the reader connection's thread, the default executor's workers
  that open serial ports), and Python serialises most allocations on the GIL anyway:
  two arenas hold less memory after a busy period than one per thread.
* Start-up (imports, configuration, schema, modem set-up) frees a good deal of heap
  that sits in the middle of it; glibc returns only the top of the heap on its own.
  `malloc_trim` once the gateway is up gives those pages back to the system.

`MALLOC_ARENA_MAX=2` in the environment (systemd/modemgw.service) has the same
effect as `limit_arenas()`; doing it here holds however the gateway is started.
"""

from __future__ import annotations

import os

M_ARENA_MAX = -8  # from glibc's <malloc.h>
ARENAS = 2


def _glibc():
    """The C library if it is glibc, else None."""
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
    except (ValueError, OSError, AttributeError):  # not glibc, or no confstr at all
        return None
    import ctypes
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def limit_arenas(arenas: int = ARENAS) -> bool:
    """At most `arenas` malloc arenas; call before starting threads. True if applied."""
    libc = _glibc()
    if libc is None or "MALLOC_ARENA_MAX" in os.environ:  # an explicit setting wins
        return False
    return bool(libc.mallopt(M_ARENA_MAX, arenas))


def trim() -> bool:
    """Return free heap pages to the system. True if some were."""
    libc = _glibc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
