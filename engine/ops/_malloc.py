"""Keep freed array memory in the process, so a training step does not page-fault on its own arrays.

glibc's ``malloc`` serves a request above ``M_MMAP_THRESHOLD`` (128 KiB at first) with a fresh ``mmap`` and
gives it back to the kernel on ``free``; it also returns the top of its heap to the kernel once more than
``M_TRIM_THRESHOLD`` of it is free. The fused sequence ops allocate a few MiB of arrays per training step
(the gate pre-activations alone are (T, B, 4H) floats) and free them when the graph is dropped, so with
the defaults every step maps, zero-fills and page-faults them in again: at V65 H128 T32 B32 about 2,200
page faults per LSTM step, 2-4 ms of a 10 ms step. Raising both thresholds keeps that memory in malloc's
free lists, where the next step finds it. Numbers are unaffected; the cost is that up to
``TRIM_THRESHOLD`` of freed memory stays with the process instead of going back to the system.

Only glibc (Linux) has ``mallopt``; elsewhere, or when ``ENGINE_MALLOC_TUNING=0`` is set, nothing is done.
Nothing happens at import: the fused ops call ``tune_once()`` when they first run, so a program that never
trains a sequence model keeps glibc's defaults.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 2**20  # glibc's largest allowed value: arrays up to 32 MiB come from the heap
TRIM_THRESHOLD = 128 * 2**20


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds (see the module docstring); True if they were set."""
    if os.environ.get("ENGINE_MALLOC_TUNING", "1") == "0":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc: macOS, Windows, musl without mallopt
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))


_tuned: bool | None = None


def tune_once() -> bool:
    """``keep_freed_memory()`` the first time it is called in this process; its answer every time after."""
    global _tuned
    if _tuned is None:
        _tuned = keep_freed_memory()
    return _tuned
