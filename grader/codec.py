"""The one channel between a student's process and the grader: plain JSON, never pickle.

``encode`` turns a value made of ``None``, bools, ints, floats, strings, lists, tuples, dicts with string
keys, numpy arrays and scalars (bool, int, uint, float), ``engine.Tensor`` and ``engine.Value`` into
JSON-ready data; ``decode`` reads it back. Arrays travel as base64 of their raw bytes, so every float
(NaN and infinities included) comes back bit for bit. A decoded Tensor or Value is a ``Boxed`` marker:
the grader compares data, it never rebuilds a student's objects.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

#: array kinds that may cross the channel: bool, signed and unsigned integers, floats
ARRAY_KINDS = "biuf"
#: decode refuses arrays bigger than this many bytes (a flood of output is a wrong answer, not a crash)
MAX_ARRAY_BYTES = 64 * 2**20
_MAX_DEPTH = 50


class CodecError(ValueError):
    """A value that cannot cross the channel (an unsupported type, or malformed data)."""


@dataclass(frozen=True)
class Boxed:
    """A decoded ``engine.Tensor`` (``kind="Tensor"``, ``data`` an array) or ``engine.Value`` (a float)."""

    kind: str
    data: Any


def type_name(x: Any) -> str:
    """A reader's name for the type of a value: ``numpy array``, ``engine.Tensor``, ``list``..."""
    if isinstance(x, Boxed):
        return f"engine.{x.kind}"
    if isinstance(x, np.ndarray):
        return "numpy array"
    if isinstance(x, np.generic):
        return f"numpy {type(x).__name__}"
    cls = type(x)
    if cls.__module__.startswith("engine"):
        return f"engine.{cls.__name__}"
    return cls.__name__


def _encode_array(a: np.ndarray) -> dict:
    if a.dtype.kind not in ARRAY_KINDS:
        raise CodecError(f"an array of dtype {a.dtype} (only bool, integer and float arrays can be graded)")
    a = a if a.flags.c_contiguous else a.copy(order="C")  # keeps 0-d arrays 0-d
    dtype = a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype
    return {
        "dtype": dtype.str,
        "shape": list(a.shape),
        "b64": base64.b64encode(a.astype(dtype, copy=False).tobytes()).decode("ascii"),
    }


def encode(x: Any, _depth: int = 0) -> Any:
    """JSON-ready data for ``x``; raises ``CodecError`` naming the type it cannot send."""
    if _depth > _MAX_DEPTH:
        raise CodecError("a value nested more than 50 levels deep")
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, np.ndarray):
        return {"__nd__": _encode_array(x)}
    if isinstance(x, np.generic):
        return {"__np__": _encode_array(np.asarray(x))}
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        return float(x) if math.isfinite(x) else {"__float__": repr(float(x))}
    if isinstance(x, list):
        return [encode(v, _depth + 1) for v in x]
    if isinstance(x, tuple):
        return {"__tuple__": [encode(v, _depth + 1) for v in x]}
    if isinstance(x, dict):
        if not all(isinstance(k, str) for k in x):
            raise CodecError("a dict whose keys are not all strings")
        return {"__dict__": [[k, encode(v, _depth + 1)] for k, v in x.items()]}
    cls = type(x)
    if cls.__module__.startswith("engine") and cls.__name__ == "Tensor":
        data = getattr(x, "data", None)
        if not isinstance(data, np.ndarray):
            raise CodecError("an engine.Tensor whose .data is not a numpy array")
        return {"__tensor__": _encode_array(data)}
    if cls.__module__.startswith("engine") and cls.__name__ == "Value":
        return {"__value__": encode(float(x.data), _depth + 1)}
    raise CodecError(f"an object of type {type_name(x)}")


def _decode_array(d: Any) -> np.ndarray:
    if not isinstance(d, dict) or set(d) != {"dtype", "shape", "b64"}:
        raise CodecError("malformed array")
    dtype = np.dtype(str(d["dtype"]))
    shape = d["shape"]
    if dtype.kind not in ARRAY_KINDS or not isinstance(shape, list):
        raise CodecError("malformed array")
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise CodecError("malformed array shape")
    raw = base64.b64decode(str(d["b64"]), validate=True)
    if len(raw) > MAX_ARRAY_BYTES:
        raise CodecError(f"an array of {len(raw)} bytes (more than {MAX_ARRAY_BYTES})")
    if len(raw) != dtype.itemsize * math.prod(shape):
        raise CodecError("malformed array: size does not match shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def decode(d: Any, _depth: int = 0) -> Any:
    """The value ``encode`` wrote; Tensors and Values come back as ``Boxed``."""
    if _depth > _MAX_DEPTH:
        raise CodecError("a value nested more than 50 levels deep")
    if d is None or isinstance(d, (bool, int, float, str)):
        return d
    if isinstance(d, list):
        return [decode(v, _depth + 1) for v in d]
    if isinstance(d, dict) and len(d) == 1:
        ((tag, body),) = d.items()
        if tag == "__nd__":
            return _decode_array(body)
        if tag == "__np__":
            return _decode_array(body)[()]
        if tag == "__float__" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag == "__tuple__" and isinstance(body, list):
            return tuple(decode(v, _depth + 1) for v in body)
        if tag == "__dict__" and isinstance(body, list):
            out = {}
            for item in body:
                if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
                    raise CodecError("malformed dict")
                out[item[0]] = decode(item[1], _depth + 1)
            return out
        if tag == "__tensor__":
            return Boxed("Tensor", _decode_array(body))
        if tag == "__value__":
            data = decode(body, _depth + 1)
            if not isinstance(data, float):
                raise CodecError("malformed Value")
            return Boxed("Value", data)
    raise CodecError("malformed data")


def roundtrip(x: Any) -> Any:
    """``decode(encode(x))``: a fresh copy of ``x`` as the other side of the channel sees it."""
    return decode(encode(x))
