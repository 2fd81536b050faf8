"""``check("2.3")``: a question's public tests, run at once in the notebook, with a short verdict."""

from __future__ import annotations

import inspect
import sys
import textwrap
from collections.abc import Callable
from typing import Any

from . import reference, spec
from .cases import CHECK_TIMEOUT, TimeLimit, expected_result, is_disabled, run_case, time_limit
from .codec import decode, type_name


def input_names(q: Any, ref: Callable[..., Any] | None = None) -> list[str]:
    """The names of a case's arguments: the spec's ``inputs``, or the reference's parameters."""
    if q.inputs:
        return list(q.inputs)
    if q.call is None and ref is not None:
        try:
            return list(inspect.signature(ref).parameters)
        except (TypeError, ValueError):
            return []
    return []


def format_failure(q: Any, label: str, args: tuple, reason: str, expected: Any = None, got: Any = None,
                   names: list[str] | None = None) -> str:
    """The verdict of a failed case: the reason, the input, expected against got (of the output that
    is wrong, by name), the hint."""
    lines = [f"Exercise {q.id}: {label} failed: {reason}"]
    shown = [f"{n}={spec.brief(a)}" for n, a in zip(names, args)] if names and len(names) == len(args) \
        else [spec.brief(a) for a in args]
    lines += textwrap.wrap(", ".join(shown), 78, initial_indent="  input: ", subsequent_indent="         ")
    if (expected is not None or got is not None) and q.kind != "training":  # never show held-out answers
        name, e, g = q.part(expected, got) if q.returns else ("", expected, got)
        tags = [f"expected {name}:" if name else "expected:", f"got {name}:" if name else "got:"]
        width = max(len(t) for t in tags) + 1
        for tag, value in zip(tags, (e, g)):
            lines.append(f"  {tag:<{width}}{spec.describe(value, indent=' ' * (width + 2))}")
    if q.hint:
        lines += textwrap.wrap(q.hint, 78, initial_indent="  hint: ", subsequent_indent="        ")
    return "\n".join(lines)


def check(qid: str, fn: Callable[..., Any] | None = None, *, hidden: bool = False) -> None:
    """Run question ``qid``'s public tests on your function and print a short verdict.

    Args:
        qid: the question's id, e.g. ``"2.3"``.
        fn: the function to test; by default the one the exercise asks for, looked up by its name in
            the notebook.
        hidden: run the hidden-case generator instead (fixed seed); used in the solution notebooks.
    """
    if is_disabled():
        return
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
    names = input_names(q, ref)
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
                    print(format_failure(q, label, args, out, names=names))
                    return
                expected, got = expected_result(q, ref, args), decode(out)
                reason = q.verdict(expected, got, args)
                if reason:
                    print(format_failure(q, label, args, reason, expected, got, names))
                    return
    except TimeLimit:
        print(f"Exercise {q.id}: stopped after {CHECK_TIMEOUT:g} s; is there an endless loop?")
        return
    more = " The grader also runs hidden tests." if not hidden else ""
    print(f"Exercise {q.id}: {kind} tests passed ({len(cases)} cases).{more}")
