"""Argument checks shared by the engine's public functions: a clear error naming the caller and the value."""

from __future__ import annotations

from typing import Any

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def float_dtype(owner: str, dtype: Any) -> np.dtype:
    """``dtype`` as a numpy float32/float64 dtype, or a ``TypeError`` naming ``owner``."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{owner}: dtype must be float32 or float64, got {dtype!r}") from None
    if dtype not in FLOAT_DTYPES:
        raise TypeError(f"{owner}: dtype must be float32 or float64, got {dtype}")
    return dtype


def positive_int(owner: str, name: str, value: Any) -> int:
    """``value`` as an int if it is a positive integer (bools excluded), or a ``ValueError`` naming both."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)
