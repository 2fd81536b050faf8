"""The grader's reading of a student's process's messages: only the runner's own order gets through."""

from __future__ import annotations

import json

import pytest

from grader.events import MAX_LINE_BYTES, ChannelError, Protocol, Reader, parse


def _line(**ev) -> bytes:
    return (json.dumps(ev) + "\n").encode()


def _run(protocol: Protocol, *events: dict) -> None:
    for k, ev in enumerate(events):
        protocol.accept(ev, now=float(k))


def test_reader_splits_lines_across_chunks():
    data = _line(ev="cell", i=0) + _line(ev="cell_done", i=0, error=None) + _line(ev="done")
    reader = Reader()
    got = []
    for k in range(0, len(data), 7):  # 7 bytes at a time
        got += list(reader.feed(data[k:k + 7]))
    assert got == [{"ev": "cell", "i": 0}, {"ev": "cell_done", "i": 0, "error": None}, {"ev": "done"}]


@pytest.mark.parametrize("line, why", [
    (b"\xff\xfe{not json", "not valid JSON"),
    (b"[1, 2]", "no known kind"),
    (b'{"ev": "boom"}', "no known kind"),
    (b'{"ev": 3}', "no known kind"),
    (b'{"ev": "cell", "i": 0, "extra": 1}', "wrong fields"),
    (b'{"ev": "result", "id": "1.1"}', "wrong fields"),
    (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),  # RecursionError
    (b'{"ev": "done", "n": ' + b"9" * 5000 + b"}", "not valid JSON"),  # beyond int digits
])
def test_malformed_messages_raise_channel_errors(line, why):
    with pytest.raises(ChannelError, match=why):
        parse(line)


def test_messages_before_a_bad_one_are_taken_first():
    reader = Reader()
    gen = reader.feed(_line(ev="cell", i=0) + b"garbage\n" + _line(ev="done"))
    assert next(gen) == {"ev": "cell", "i": 0}
    with pytest.raises(ChannelError):
        next(gen)


def test_oversized_lines_and_floods_are_refused():
    reader = Reader(max_line=10, max_total=100)
    with pytest.raises(ChannelError, match="longer than"):
        list(reader.feed(b"x" * 11))
    reader = Reader(max_line=1000, max_total=100)
    with pytest.raises(ChannelError, match="more than"):
        for _ in range(20):
            list(reader.feed(_line(ev="done")))
    assert MAX_LINE_BYTES >= 64 * 2**20  # a result carrying big arrays still fits


def test_protocol_accepts_the_runners_order_with_retries():
    p = Protocol(cells=[1, 3], questions=["1.1", "1.2"])
    assert p.expected() == ("cell", 1) and p.phase == ("start", None)
    _run(p, {"ev": "cell", "i": 1}, {"ev": "cell_done", "i": 1, "error": "NameError: name 'g' is not defined"},
         {"ev": "cell", "i": 3}, {"ev": "cell_done", "i": 3, "error": None})
    assert p.expected() == ("cell", 1)  # the retry of the cell that ran too early
    _run(p, {"ev": "cell", "i": 1}, {"ev": "cell_done", "i": 1, "error": "NameError: again"})
    assert p.expected() == ("q", "1.1")  # a retry is not retried
    p.accept({"ev": "q", "id": "1.1"}, now=10.0)
    assert p.phase == ("question", "1.1") and p.since == 10.0
    p.accept({"ev": "result", "id": "1.1", "status": "ok", "reason": "", "outputs": [1]}, now=11.0)
    assert p.since == 10.0  # the question's clock is not reset by its own messages
    _run(p, {"ev": "q", "id": "1.2"}, {"ev": "result", "id": "1.2", "status": "missing", "reason": "x", "outputs": []},
         {"ev": "done"})
    assert p.finished and set(p.results) == {"1.1", "1.2"}
    with pytest.raises(ChannelError, match="after 'done'"):
        p.accept({"ev": "done"}, now=0.0)


@pytest.mark.parametrize("events", [
    [{"ev": "cell", "i": "boom"}],                          # the forged event
    [{"ev": "cell", "i": True}],                            # True == 1, but not a cell index
    [{"ev": "cell", "i": 1.0}],
    [{"ev": "cell", "i": 3}],                               # out of order
    [{"ev": "q", "id": "1.1"}],                             # skips the cells
    [{"ev": "done"}],                                       # too early
    [{"ev": "cell", "i": 1}, {"ev": "cell", "i": 1}],       # a phase restarted (feeding the watchdog)
    [{"ev": "cell", "i": 1}, {"ev": "cell_done", "i": 1, "error": 7}],
    [{"ev": "cell", "i": 1}, {"ev": "cell_done", "i": 1, "error": None}, {"ev": "cell", "i": 3},
     {"ev": "cell_done", "i": 3, "error": None}, {"ev": "q", "id": "1.1"},
     {"ev": "result", "id": "1.1", "status": "passed", "reason": "", "outputs": []}],   # not a runner status
    [{"ev": "cell", "i": 1}, {"ev": "cell_done", "i": 1, "error": None}, {"ev": "cell", "i": 3},
     {"ev": "cell_done", "i": 3, "error": None}, {"ev": "q", "id": "1.1"}, {"ev": "q", "id": "1.1"}],
    [{"ev": "cell", "i": 1}, {"ev": "cell_done", "i": 1, "error": None}, {"ev": "cell", "i": 3},
     {"ev": "cell_done", "i": 3, "error": None}, {"ev": "q", "id": "1.1"},
     {"ev": "result", "id": "1.2", "status": "ok", "reason": "", "outputs": []}],
])
def test_protocol_rejects_anything_else(events):
    p = Protocol(cells=[1, 3], questions=["1.1", "1.2"])
    with pytest.raises(ChannelError):
        _run(p, *events)


def test_a_phase_is_charged_until_the_next_one_starts():
    p = Protocol(cells=[0], questions=["1.1"])
    _run(p, {"ev": "cell", "i": 0}, {"ev": "cell_done", "i": 0, "error": None})
    assert p.phase == ("cell", 0) and p.since == 0.0  # time after cell_done still counts against the cell
