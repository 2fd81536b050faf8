"""The grader's side of the channel from a student's process: every message is untrusted input.

``grader.runner`` writes one JSON object per line on a pipe; the submission's code runs in the same
process and can write there too. So the grader reads the pipe with ``Reader`` (lines and the whole
stream capped in size, each line parsed on its own) and checks every message with ``Protocol``
against the one order the runner follows:

    cell i, cell_done i        for each cell to run, in order
    cell i, cell_done i        again for each cell that raised a NameError (a cell run too early)
    q id, result id            for each question, in the job's order
    done

Each phase (a cell, a question) starts once, and its clock is the grader's: ``Protocol.since`` is set
when its first message arrives and no later message resets it. Anything else (bad JSON, an unknown or
repeated message, a wrong key, type or order, a line too long) raises ``ChannelError``; the grader
then ends the process and blames the phase it was in.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from typing import Any

#: a result line carries every case's output (arrays as base64): this bounds one message and them all
MAX_LINE_BYTES = 96 * 2**20
MAX_TOTAL_BYTES = 256 * 2**20
#: what the runner may report as a question's status
RESULT_STATUSES = frozenset({"ok", "not implemented", "error", "wrong type", "timeout", "missing"})
_KEYS = {
    "cell": {"ev", "i"}, "cell_done": {"ev", "i", "error"}, "q": {"ev", "id"},
    "result": {"ev", "id", "status", "reason", "outputs"}, "done": {"ev"},
}
_RETRY = object()


class ChannelError(ValueError):
    """A message the runner would never send: malformed, forged, out of order or oversized."""


class Reader:
    """Splits the bytes read from the channel into parsed messages (dicts), refusing what is malformed."""

    def __init__(self, max_line: int = MAX_LINE_BYTES, max_total: int = MAX_TOTAL_BYTES) -> None:
        self.max_line, self.max_total = max_line, max_total
        self._partial = bytearray()
        self.total = 0

    def feed(self, data: bytes) -> Iterator[dict[str, Any]]:
        """The complete messages in ``data``, one at a time (a partial last line waits for the rest).

        A generator, so that the messages before a bad one are taken before it raises: the grader
        must know which phase the bad one came in.
        """
        self.total += len(data)
        if self.total > self.max_total:
            raise ChannelError(f"more than {self.max_total // 2**20} MiB of messages")
        start = 0
        while (end := data.find(b"\n", start)) >= 0:
            self._partial += data[start:end]
            line, self._partial = bytes(self._partial), bytearray()
            start = end + 1
            yield parse(line)
        self._partial += data[start:]
        if len(self._partial) > self.max_line:
            raise ChannelError(f"a message longer than {self.max_line // 2**20} MiB")


def parse(line: bytes) -> dict[str, Any]:
    """One message: a JSON object whose ``ev`` is a known kind, with exactly that kind's keys."""
    if len(line) > MAX_LINE_BYTES:
        raise ChannelError(f"a message longer than {MAX_LINE_BYTES // 2**20} MiB")
    try:
        ev = json.loads(line.decode("utf-8"))
    except (ValueError, RecursionError, MemoryError) as e:  # bad UTF-8 or JSON, 5000-digit numbers
        raise ChannelError(f"a message that is not valid JSON ({type(e).__name__})") from None
    if not isinstance(ev, dict) or not isinstance(ev.get("ev"), str) or ev["ev"] not in _KEYS:
        raise ChannelError("a message of no known kind")
    if set(ev) != _KEYS[ev["ev"]]:
        raise ChannelError(f"a {ev['ev']!r} message with the wrong fields")
    return ev


class Protocol:
    """The runner's order of messages for one process: which cells and questions it will report.

    Args:
        cells: the indices of the cells the process runs, in order (the skipped ones left out).
        questions: the ids of the questions it answers, in order.
    """

    def __init__(self, cells: list[int], questions: list[str]) -> None:
        self.queue: deque[Any] = deque([("cell", i) for i in cells] + [_RETRY] + [("q", q) for q in questions])
        self.open: tuple[str, Any] | None = None  # the phase whose closing message is awaited
        self.phase: tuple[str, Any] = ("start", None)  # what the time since ``since`` is charged to
        self.since: float | None = None
        self.results: dict[str, dict[str, Any]] = {}
        self.retry: list[int] = []
        self.finished = False

    def expected(self) -> tuple[str, Any]:
        """The one message that may come next: ``(kind, key)``."""
        if self.open is not None:
            return ("cell_done", self.open[1]) if self.open[0] == "cell" else ("result", self.open[1])
        while self.queue and self.queue[0] is _RETRY:
            self.queue.popleft()
            self.queue.extendleft(("cell", i) for i in reversed(self.retry))
        return self.queue[0] if self.queue else ("done", None)

    def accept(self, ev: dict[str, Any], now: float) -> None:
        """Check one parsed message against the order and record it; ``ChannelError`` if it does not fit."""
        if self.finished:
            raise ChannelError(f"a {ev['ev']!r} message after 'done'")
        kind, key = self.expected()
        got = ev["ev"]
        value = ev.get("i") if got in ("cell", "cell_done") else ev.get("id")
        if got != kind or (key is not None and (value != key or type(value) is not type(key))):
            want = f"{kind} {key}" if key is not None else kind
            raise ChannelError(f"a {got!r} message for {value!r} while the grader expected {want!r}")
        if got == "cell":
            self.queue.popleft()
            self.open = self.phase = ("cell", key)
            self.since = now
        elif got == "cell_done":
            error = ev["error"]
            if error is not None and not isinstance(error, str):
                raise ChannelError("a 'cell_done' message whose error is not text")
            if error and error.startswith("NameError") and _RETRY in self.queue:
                self.retry.append(key)  # the first pass: the runner runs it once more at the end
            self.open = None
        elif got == "q":
            self.queue.popleft()
            self.open = self.phase = ("question", key)
            self.since = now
        elif got == "result":
            status, reason, outputs = ev["status"], ev["reason"], ev["outputs"]
            if status not in RESULT_STATUSES or not isinstance(reason, str) or not isinstance(outputs, list):
                raise ChannelError("a 'result' message with a wrong status, reason or outputs")
            self.results[key] = {"status": status, "reason": reason, "outputs": outputs}
            self.open = None
        else:
            self.finished = True
            self.phase = ("done", None)
            self.since = now
