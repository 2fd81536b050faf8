"""Running one case of a question on a student's function: time limits, errors, the encoded result.

Shared by the in-notebook ``check()`` (``grader.check``) and the grader's student process (``grader.runner``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from .codec import CodecError, decode, encode, roundtrip, type_name
from .spec import cut

_disabled = 0
CHECK_TIMEOUT = 60.0


class TimeLimit(BaseException):
    """Raised in a student's code when its time is up (a BaseException: ``except Exception`` misses it)."""


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Within this block ``check`` does nothing (the grader and the reference loader run notebooks)."""
    global _disabled
    _disabled += 1
    try:
        yield
    finally:
        _disabled -= 1


def is_disabled() -> bool:
    """Whether ``check`` is switched off in this process."""
    return _disabled > 0


def disable_forever() -> None:
    """Make ``check`` a no-op in this process (the grader's student process)."""
    global _disabled
    _disabled += 1


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``TimeLimit`` in the main thread after ``seconds`` (does nothing off the main thread)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def _alarm(signum: int, frame: Any) -> None:
        raise TimeLimit(f"time limit of {seconds:g} s exceeded")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def describe_exception(e: BaseException) -> str:
    """``ValueError: message (line 4 of your cell)``: the error and the student's line that raised it."""
    if isinstance(e, SystemExit):
        return "called sys.exit()"
    text = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    where = ""
    library = (os.path.dirname(os.path.abspath(__file__)), os.path.dirname(os.__file__))
    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        if not os.path.abspath(frame.filename).startswith(library) and "/engine/" not in frame.filename:
            where = f" (line {frame.lineno}: {frame.line.strip()})" if frame.line else f" (line {frame.lineno})"
            break
    return cut(text, 300) + where




class WrongAnswer(Exception):
    """Raised by a spec's ``call`` when it can tell best what is wrong ("wrong shape of b_h: ...")."""


def _resolve(dotted: str) -> Any:
    import importlib

    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for k, name in enumerate(parts[1:], 1):
        try:
            obj = getattr(obj, name)
        except AttributeError:
            obj = importlib.import_module(".".join(parts[: k + 1]))
    return obj


def _functions_of(obj: Any) -> list[Any]:
    """The Python functions behind a function, a method or a class (its own methods)."""
    if isinstance(obj, type):
        out = []
        for v in vars(obj).values():
            v = getattr(v, "__func__", v)
            if hasattr(v, "__code__"):
                out.append(v)
        return out
    obj = getattr(obj, "__func__", obj)
    return [obj] if hasattr(obj, "__code__") else []


def _raiser(message: str, n_free: int) -> Any:
    """A code object that raises ``PermissionError(message)``, with ``n_free`` free variables."""
    free = [f"_free{i}" for i in range(n_free)]
    lines = ["def _outer():"] + [f"    {v} = None" for v in free]
    lines += ["    def _forbidden(*args, **kwargs):"]
    lines += [f"        {', '.join(free)}"] if free else []
    lines += [f"        raise PermissionError({message!r})", "    return _forbidden"]
    ns: dict[str, Any] = {}
    filename = os.path.join(os.path.dirname(os.path.abspath(__file__)), "<forbidden>")  # not the student's line
    exec(compile("\n".join(lines), filename, "exec"), ns)
    return ns["_outer"]().__code__


@contextlib.contextmanager
def forbidden(names: tuple[str, ...], qid: str = "") -> Iterator[None]:
    """While the block runs, calling any of ``names`` (dotted, e.g. ``engine.Tensor.backward``) raises.

    The functions' code is swapped, not their names, so an alias taken earlier
    (``bw = Tensor.backward``) is caught as well; everything is restored when the block ends.
    """
    swapped: list[tuple[Any, Any]] = []
    try:
        for name in names:
            message = (f"{name} is off limits in Exercise {qid}: the exercise asks you to write "
                       f"what it does yourself" if qid else f"{name} is off limits here")
            try:
                target = _resolve(name)
            except (ImportError, AttributeError):  # a renamed engine function; tests/test_grader_check.py
                continue                          # fails on it, a learner must not
            for f in _functions_of(target):
                code = f.__code__
                f.__code__ = _raiser(message, len(code.co_freevars))
                swapped.append((f, code))
        yield
    finally:
        for f, code in reversed(swapped):
            f.__code__ = code


def run_case(q: Any, fn: Callable[..., Any], args: tuple) -> tuple[str, Any]:
    """Run one case of question ``q`` on ``fn``: ``("ok", encoded result)``, or a status and a reason.

    Statuses: ``not implemented``, ``error`` (it raised), ``wrong type`` (a result the grader cannot
    read, or one the spec's ``call`` found wrong). The arguments are a fresh copy, so a function that
    changes its inputs changes nothing else. The question's ``forbidden`` functions raise meanwhile.
    """
    try:
        with forbidden(tuple(getattr(q, "forbidden", ()) or ()), q.id):
            result = q.run(fn, roundtrip(args))
    except NotImplementedError as e:
        return "not implemented", describe_exception(e)
    except TimeLimit:
        raise
    except WrongAnswer as e:
        return "wrong type", str(e)
    except BaseException as e:
        return "error", describe_exception(e)
    try:
        return "ok", encode(result)
    except CodecError as e:
        return "wrong type", f"returned {e}"
    except BaseException as e:
        return "wrong type", f"returned {type_name(result)} that could not be read ({describe_exception(e)})"


def expected_result(q: Any, ref: Callable[..., Any], args: tuple) -> Any:
    """The reference's result for one case, decoded as the student's will be."""
    return decode(encode(q.run(ref, roundtrip(args))))
