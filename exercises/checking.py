"""``check("2.3")``: a question's public tests, run at once in the notebook, with a short verdict."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from .codec import CodecError, decode, encode, roundtrip, type_name

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
    return _cut(text, 300) + where


def _cut(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."


def run_case(q: Any, fn: Callable[..., Any], args: tuple) -> tuple[str, Any]:
    """Run one case of question ``q`` on ``fn``: ``("ok", encoded result)``, or a status and a reason.

    Statuses: ``not implemented``, ``error`` (it raised), ``wrong type`` (a result the grader cannot
    read). The arguments are a fresh copy, so a function that changes its inputs changes nothing else.
    """
    try:
        result = q.run(fn, roundtrip(args))
    except NotImplementedError as e:
        return "not implemented", describe_exception(e)
    except TimeLimit:
        raise
    except BaseException as e:  # noqa: BLE001 - a student's code may raise anything, SystemExit included
        return "error", describe_exception(e)
    try:
        return "ok", encode(result)
    except CodecError as e:
        return "wrong type", f"returned {e}"
    except BaseException as e:  # noqa: BLE001 - a hostile object's __float__ or attribute may raise
        return "wrong type", f"returned {type_name(result)} that could not be read ({describe_exception(e)})"


def expected_result(q: Any, ref: Callable[..., Any], args: tuple) -> Any:
    """The reference's result for one case, decoded as the student's will be."""
    return decode(encode(q.run(ref, roundtrip(args))))


def format_failure(q: Any, label: str, args: tuple, reason: str, expected: Any = None, got: Any = None) -> str:
    """The verdict of a failed case: the reason, the input, expected against got, the hint."""
    from .spec import describe

    lines = [f"Exercise {q.id}: {label} failed: {reason}"]
    lines.append(f"  input:    {describe(args, 200)}")
    if expected is not None or got is not None:
        lines.append(f"  expected: {describe(expected)}")
        lines.append(f"  got:      {describe(got)}")
    if q.hint:
        lines.append(f"  hint: {q.hint}")
    return "\n".join(lines)


def check(qid: str, fn: Callable[..., Any] | None = None, *, hidden: bool = False) -> None:
    """Run question ``qid``'s public tests on your function and print a short verdict.

    Args:
        qid: the question's id, e.g. ``"2.3"``.
        fn: the function to test; by default the one the exercise asks for, looked up by its name in
            the notebook.
        hidden: run the hidden-case generator instead (fixed seed); used in the solution notebooks.
    """
    if _disabled:
        return
    from . import reference, spec

    try:
        q = spec.find_question(qid)
    except KeyError:
        print(f"check: there is no exercise {qid!r}.")
        return
    if fn is None:
        caller = sys._getframe(1).f_globals
        fn = caller.get(q.function)
        if fn is None:
            print(f"Exercise {q.id}: `{q.function}` is not defined yet; run its cell first.")
            return
    if not callable(fn):
        print(f"Exercise {q.id}: `{q.function}` should be a function, not {type_name(fn)}.")
        return
    try:
        ref = reference.function(q)
    except (OSError, LookupError, ValueError) as e:
        print(f"Exercise {q.id}: cannot check here, the reference solutions are not available ({e}).")
        return
    cases = q.hidden_cases(0) if hidden else q.public_cases()
    kind = "hidden" if hidden else "public"
    try:
        with time_limit(CHECK_TIMEOUT):
            for k, args in enumerate(cases, 1):
                label = f"{kind} case {k} of {len(cases)}"
                status, out = run_case(q, fn, args)
                if status == "not implemented":
                    print(f"Exercise {q.id}: not implemented yet.")
                    return
                if status != "ok":
                    print(format_failure(q, label, args, out))
                    return
                expected, got = expected_result(q, ref, args), decode(out)
                reason = q.verdict(expected, got, args)
                if reason:
                    print(format_failure(q, label, args, reason, expected, got))
                    return
    except TimeLimit:
        print(f"Exercise {q.id}: stopped after {CHECK_TIMEOUT:g} s; is there an endless loop?")
        return
    more = " The grader also runs hidden tests." if not hidden else ""
    print(f"Exercise {q.id}: {kind} tests passed ({len(cases)} cases).{more}")
