"""``engine.save`` and ``engine.load``: parameters to and from a numpy ``.npz`` file, never with pickle.

A pickle can run any code when it is loaded, so a model file downloaded with a course must not be one.
An ``.npz`` file is a zip of plain ``.npy`` arrays: ``load`` opens it with ``allow_pickle=False`` and refuses
any entry that would need pickle (an object array), naming it.

    engine.save(model, "model.npz")                  # or engine.save(model.state_dict(), ...)
    model.load_state_dict(engine.load("model.npz"))
"""

from __future__ import annotations

import os
import zipfile
from typing import Any

import numpy as np

from .nn.module import Module
from .tensor import Tensor


def _check_path(op: str, path: Any) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{op}: path must be a str or os.PathLike, got {type(path).__name__}")
    path = os.fspath(path)
    if not path.endswith(".npz"):
        raise ValueError(f"{op}: the file name must end in .npz, got {path!r}")
    return path


def save(obj: Module | dict[str, Any], path: str | os.PathLike) -> None:
    """Write a module's ``state_dict()`` (or a dict of arrays, Tensors and numbers) to an ``.npz`` file.

    Args:
        obj: a ``Module`` or a ``{name: array}`` dict with string keys.
        path: the file to write; its name must end in ``.npz``.
    """
    path = _check_path("save", path)
    state = obj.state_dict() if isinstance(obj, Module) else obj
    if not isinstance(state, dict):
        raise TypeError(f"save: expected a Module or a dict of arrays, got {type(obj).__name__}")
    arrays = {}
    for name, value in state.items():
        if not isinstance(name, str):
            raise TypeError(f"save: keys must be strings, got {name!r}")
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"save: {name!r} has dtype {array.dtype}; only numeric arrays are saved "
                            "(anything else would need pickle)")
        arrays[name] = array
    np.savez(path, **arrays)


def load(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read an ``.npz`` file written by ``save`` as ``{name: array}``, without ever unpickling.

    Raises:
        ValueError: if an entry is an object array (it would need pickle, which can run code), or the file
            is not an ``.npz`` archive.
    """
    path = _check_path("load", path)
    try:
        archive = np.load(path, allow_pickle=False)
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise ValueError(f"load: {path!r} is not an .npz archive of plain arrays: {e}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"load: {path!r} holds a single array, not an .npz archive")
    out = {}
    with archive:
        for name in archive.files:
            try:
                out[name] = archive[name]
            except ValueError as e:
                raise ValueError(f"load: entry {name!r} of {path!r} needs pickle (an object array), which "
                                 f"could run code, so it is refused: {e}") from None
    return out
