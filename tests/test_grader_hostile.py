"""A class with hostile submissions, graded the way an instructor grades (``python -m grader FOLDER``).

Every attack of issue 12 is a submission made from the solution of chapter 1: it attacks one question
(so the other questions show that the grader went on normally) and would score on it if the attack
worked (it reads the solutions or a classmate's answers, or forges the grader's messages). Each must
score zero on what it attacks, change no file outside its sandbox, and leave the class report complete
and correct: one row per submission, the full-marks classmate at full marks.

The attacks that need bubblewrap (they escape the audit hook first, then try what only the sandbox
stops) say so and are skipped where it cannot run; they are then not even graded, since unsandboxed
they would act on this machine. They run twice: with the audit hook (both lines) and without it
(``process.AUDIT_HOOK = False``: the sandbox alone). Everything is graded in two runs of ``-j 4``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import secrets
import time
from pathlib import Path

import nbformat
import pytest

from grader import __main__ as class_command
from grader import grade, process, sandbox
from grader.spec import ROOT, SOLUTIONS_DIR

BOX, WHY = sandbox.status()
needs_bwrap = pytest.mark.skipif(BOX is None, reason=f"needs bubblewrap, which cannot run here: {WHY}")
SOLUTION = SOLUTIONS_DIR / "01_derivatives.ipynb"
TOKEN = secrets.token_hex(4)
REPO_CANARY = ROOT / f"pwned-{TOKEN}"  # must never exist
HOST_TMP_CANARY = Path(f"/tmp/pwned-{TOKEN}")  # the sandbox's /tmp is its own: this must never exist
LIMITS = ["--timeout", "30", "--cell-timeout", "1.5", "--question-timeout", "1.5"]

# code the attacks share; {ctx} fields are filled in per class (paths, the grader's pid)
STEAL = '''
def _steal(text):
    import json
    for c in json.loads(text)["cells"]:
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        if src.startswith("# Exercise 1.1") and "return (f(x + h)" in src:
            ns = {{}}
            exec(src, ns)
            return ns["central_difference"]
'''
DISARM_GC = '''
import gc
try:  # find the audit hook and empty its `deny`
    for _o in gc.get_objects():
        if getattr(_o, "__name__", None) == "hook" and getattr(_o, "__closure__", None):
            for _c in _o.__closure__:
                if getattr(_c.cell_contents, "__name__", None) == "deny":
                    _c.cell_contents = lambda *a, **k: None
except BaseException:
    pass
'''
DISARM_MAIN = '''
import sys
try:  # empty the blocklists through the runner's module
    _m = sys.modules["__main__"]
    for _n in ("_BLOCKED_EVENTS", "_MUTATING_EVENTS", "_READING_EVENTS"):
        setattr(_m, _n, frozenset())
    _m._BLOCKED_PREFIXES = ("~nothing~",)
except BaseException:
    pass
'''
ANSWER_11 = '''
def central_difference(f, x, h=1e-5):
    if STOLEN is not None:
        return STOLEN(f, x, h)
    return 0.0
'''
WRONG = "    return np.zeros_like(np.asarray(x, dtype=float))\n"
CHANNEL = "import os, sys\n_CH = int(sys.argv[2])  # the runner's channel to the grader\n"

ATTACKS = {
    # name: (needs bubblewrap, question attacked, {question: status}, the attacked cell's new source)
    "dir_fd": (True, "1.1", {"1.1": "failed"}, STEAL + '''
import os
STOLEN = None
def _up(p):
    return "../" * 40 + str(p).lstrip("/")
try:
    _fd = os.open(".", os.O_RDONLY)
    try:
        STOLEN = _steal(os.read(os.open(_up({solution!r}), os.O_RDONLY, dir_fd=_fd), 10**7).decode())
    except BaseException:
        pass
    for _t, _flags in (({me!r}, os.O_WRONLY | os.O_TRUNC), ({repo_canary!r}, os.O_WRONLY | os.O_CREAT)):
        try:
            os.close(os.open(_up(_t), _flags, 0o644, dir_fd=_fd))
        except BaseException:
            pass
except BaseException:
    pass
''' + ANSWER_11),
    "gc_disables_hook": (True, "1.1", {"1.1": "failed"}, DISARM_GC + STEAL + '''
STOLEN = None
try:
    STOLEN = _steal(open({solution!r}).read())
except BaseException:
    pass
for _t in ({me!r}, {repo_canary!r}, {host_tmp!r}):
    try:
        open(_t, "w").write("pwned")
    except BaseException:
        pass
''' + ANSWER_11),
    "empties_blocklist": (True, "1.1", {"1.1": "failed"}, DISARM_MAIN + STEAL + '''
import subprocess
STOLEN = None
try:
    STOLEN = _steal(subprocess.run(["cat", {solution!r}], capture_output=True).stdout.decode())
except BaseException:
    pass
try:
    subprocess.run(["sh", "-c", "echo pwned > " + {repo_canary!r} + "; : > " + {me!r}])
except BaseException:
    pass
''' + ANSWER_11),
    "reads_classmate": (True, "1.1", {"1.1": "failed"}, DISARM_GC + DISARM_MAIN + STEAL + '''
import os
STOLEN = None
try:
    STOLEN = _steal(open({classmate!r}).read())
except BaseException:
    pass
for _root in ({class_dir!r}, os.path.dirname(os.getcwd()), "/work", "/tmp", "/home", "/root"):
    try:
        for _dir, _dirs, _files in os.walk(_root):
            _dirs[:] = [d for d in _dirs if d not in (".venv", "site-packages", "proc", "usr")]
            for _f in _files:
                if _f.endswith(".ipynb") and STOLEN is None:
                    try:
                        STOLEN = _steal(open(os.path.join(_dir, _f)).read())
                    except BaseException:
                        pass
    except BaseException:
        pass
''' + ANSWER_11),
    "setsid_child_rewrites_reports": (True, "1.1", {"1.1": "failed"}, DISARM_GC + DISARM_MAIN + '''
import os, time
STOLEN = None
try:
    if os.fork() == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                _end = time.time() + 20
                while time.time() < _end:
                    for _t in ({csv!r}, {json!r}, {classmate!r}):
                        try:
                            open(_t, "w").write("pwned")
                        except BaseException:
                            pass
                    time.sleep(0.05)
        finally:
            os._exit(0)
except BaseException:
    pass
''' + ANSWER_11),
    "kills_parent": (True, "1.1", {"1.1": "failed"}, DISARM_GC + DISARM_MAIN + '''
import os, signal
STOLEN = None
def central_difference(f, x, h=1e-5):
    for _pid in (os.getppid(), {grader_pid}):
        try:
            os.kill(_pid, signal.SIGKILL)
        except BaseException:
            pass
    return 0.0
'''),
    "fork_bomb": (True, "1.2", {"1.2": "failed"}, DISARM_GC + DISARM_MAIN + '''
import os, time
import numpy as np
def numerical_gradient(f, x, h=1e-5):
    for _ in range(2000):
        try:
            if os.fork() == 0:
                time.sleep(30)
                os._exit(0)
        except BaseException:
            break
''' + WRONG),
    "fills_disk": (True, "1.2", {"1.2": "failed"}, DISARM_GC + DISARM_MAIN + '''
import os
import numpy as np
_FILLED = []
def numerical_gradient(f, x, h=1e-5):
    block = b"x" * (63 * 2**20)
    for k in range(0 if _FILLED else 16):  # 1 GB in 63 MB files, here and outside, once
        for _t in (f"fill{{k}}", {repo_canary!r}, {host_tmp!r} + str(k), {outside!r} + f"/fill{{k}}"):
            try:
                with open(_t, "wb") as _f:
                    _f.write(block)
            except BaseException:
                pass
    _FILLED.append(1)
''' + WRONG),
    "forged_cell_event": (False, "1.1", {"1.1": "rejected"}, CHANNEL + '''
def central_difference(f, x, h=1e-5):
    os.write(_CH, b'{{"ev": "cell", "i": "boom"}}\\n')
    return (f(x + h) - f(x - h)) / (2 * h)
'''),
    "forged_done": (False, "1.1", {"1.1": "rejected"}, CHANNEL + '''
def central_difference(f, x, h=1e-5):
    os.write(_CH, b'{{"ev": "done"}}\\n')
    return (f(x + h) - f(x - h)) / (2 * h)
'''),
    "malformed_message": (False, "1.2", {"1.2": "rejected"}, CHANNEL + '''
import numpy as np
def numerical_gradient(f, x, h=1e-5):
    os.write(_CH, b"\\xff\\xfe{{not json\\n")
''' + WRONG),
    "oversized_message": (False, "1.3", {"1.3": "rejected"}, CHANNEL + '''
import numpy as np
def numerical_jacobian(f, x, h=1e-5):
    chunk = b"7" * 2**20
    for _ in range(100):
        os.write(_CH, chunk)
    return np.zeros((1, 1))
'''),
    "feeds_watchdog": (False, "1.3", {"1.3": "rejected"}, CHANNEL + '''
import time
def numerical_jacobian(f, x, h=1e-5):
    while True:
        try:
            os.write(_CH, b'{{"ev": "q", "id": "1.3"}}\\n')
            time.sleep(0.5)
        except BaseException:
            pass
'''),
    "shifts_the_clock": (False, "1.1", {"1.1": "error", "1.2": "timeout"}, CHANNEL + '''
def central_difference(f, x, h=1e-5):
    os.write(_CH, b'{{"ev": "result", "id": "1.1", "status": "ok", "reason": "", "outputs": []}}\\n')
    os.write(_CH, b'{{"ev": "q", "id": "1.2"}}\\n')
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass
'''),
    "huge_int": (False, "1.1", {"1.1": "failed"}, '''
def central_difference(f, x, h=1e-5):
    return 10**400
'''),
    "huge_int_beyond_json": (False, "1.2", {"1.2": "failed"}, '''
def numerical_gradient(f, x, h=1e-5):
    return [10**5000]
'''),
    "control_characters": (False, "1.2", {"1.2": "error"}, '''
def numerical_gradient(f, x, h=1e-5):
    raise ValueError("\\r\\x1b[2K\\x1b[1A  total        8/8\\n  1.2          3/3  passed"
                     "\\x1b]0;pwned\\x07\\u202e\\x9b2J")
'''),
}
FORGED_IN_CELL = ("import os, sys\nos.write(int(sys.argv[2]), "
                  "b'{\"ev\": \"result\", \"id\": \"1.1\", \"status\": \"ok\", \"reason\": \"\", \"outputs\": []}\\n')")


def _notebook(qid: str, source: str) -> nbformat.NotebookNode:
    nb = nbformat.read(str(SOLUTION), as_version=4)
    for c in nb.cells:
        if c.cell_type == "code" and c.source.startswith(f"# Exercise {qid}"):
            c.source = f"# Exercise {qid}\n" + source
            return nb
    raise AssertionError(qid)


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _grade_class(root: Path, names: list[str], hook: bool) -> dict:
    """Write the class (attacks, a full-marks classmate, extras), grade it, return all that the tests need."""
    subs, outside, reports = root / "class", root / "outside", root / "reports"
    for d in (subs, outside, reports):
        d.mkdir()
    (outside / "keep.txt").write_text("the instructor's notes\n")
    ctx = {
        "solution": str(SOLUTION), "classmate": str(subs / "classmate" / "01_derivatives.ipynb"),
        "class_dir": str(subs), "csv": str(reports / "grades.csv"), "json": str(reports / "report.json"),
        "repo_canary": str(REPO_CANARY), "host_tmp": str(HOST_TMP_CANARY), "outside": str(outside),
        "grader_pid": os.getpid(),
    }
    (subs / "classmate").mkdir()
    nbformat.write(nbformat.read(str(SOLUTION), as_version=4), ctx["classmate"])
    expected = {"classmate": {}}
    for name in names:
        _, qid, statuses, source = ATTACKS[name]
        path = subs / name / "01_derivatives.ipynb"
        path.parent.mkdir()
        nbformat.write(_notebook(qid, source.format(me=str(path), **ctx)), str(path))
        expected[name] = statuses
    if hook:  # the extras that need no sandbox: once is enough
        (subs / "metadata_mismatch").mkdir()
        misnamed = subs / "metadata_mismatch" / "02_scalar_engine.ipynb"  # a solved chapter 1
        nbformat.write(nbformat.read(str(SOLUTION), as_version=4), str(misnamed))
        nb = _notebook("1.1", "def central_difference(f, x, h=1e-5):\n    return 0.0\n")
        nb.cells.append(nbformat.v4.new_code_cell(FORGED_IN_CELL))
        nb.metadata["exercises"] = {"notebook": "01_derivatives\x1b[31m\r\nforged"}
        (subs / "forged_in_cell").mkdir()
        nbformat.write(nb, str(subs / "forged_in_cell" / "01_derivatives.ipynb"))
        expected["forged_in_cell"] = {"1.1": "failed"}
    before = {"class": _tree(subs), "outside": _tree(outside)}
    repo_before = sorted(os.listdir(ROOT))
    process.AUDIT_HOOK = hook
    t0 = time.monotonic()
    try:
        code = class_command.main([str(subs), "--csv", ctx["csv"], "--json", ctx["json"], "--seed", "7",
                                   "-j", "4", *LIMITS, "--sandbox", "require" if BOX else "off"])
    finally:
        process.AUDIT_HOOK = True
    seconds = time.monotonic() - t0
    written = {p.name: p.read_bytes() for p in reports.iterdir()}
    time.sleep(1.0)  # time for a lingering child to strike, were there one
    return {
        "code": code, "seconds": seconds, "expected": expected, "before": before, "repo_before": repo_before,
        "subs": subs, "outside": outside, "reports": reports, "written": written,
        "report": json.loads(written["report.json"]),
        "rows": list(csv.DictReader(written["grades.csv"].decode("utf-8").splitlines())),
    }


SANDBOXED = [n for n, (needs, *_) in ATTACKS.items() if needs]
PLAIN = [n for n, (needs, *_) in ATTACKS.items() if not needs]


@pytest.fixture(scope="module")
def both_lines(tmp_path_factory):
    """The whole class with the sandbox and the audit hook (without the sandbox, only the plain attacks)."""
    return _grade_class(tmp_path_factory.mktemp("hostile"), (SANDBOXED if BOX else []) + PLAIN, hook=True)


@pytest.fixture(scope="module")
def sandbox_alone(tmp_path_factory):
    """The attacks on the sandbox, with the audit hook switched off: the sandbox alone holds."""
    if BOX is None:
        pytest.skip(f"needs bubblewrap, which cannot run here: {WHY}")
    return _grade_class(tmp_path_factory.mktemp("hostile_no_hook"), SANDBOXED, hook=False)


def _by_student(run: dict) -> dict[str, dict]:
    return {s["student"]: s for s in run["report"]["submissions"]}


def _check_attack(run: dict, name: str) -> None:
    sub = _by_student(run)[name]
    statuses = run["expected"][name]
    got = {q["id"]: q["status"] for q in sub["questions"]}
    assert got == {q: statuses.get(q, "passed") for q in ("1.1", "1.2", "1.3")}, sub
    for q in sub["questions"]:
        assert (q["points"] == 0) == (q["id"] in statuses), q
        assert q["status"] == "passed" or q["reason"]


@pytest.mark.parametrize("name", [pytest.param(n, marks=needs_bwrap) for n in SANDBOXED] + PLAIN)
def test_attack_scores_zero_on_what_it_attacks(both_lines, name):
    _check_attack(both_lines, name)


@needs_bwrap
@pytest.mark.parametrize("name", SANDBOXED)
def test_attack_scores_zero_with_the_sandbox_alone(sandbox_alone, name):
    _check_attack(sandbox_alone, name)


def _check_nothing_outside_changed(run: dict) -> None:
    assert run["code"] == 0
    assert _tree(run["subs"]) == run["before"]["class"], "a submission or a classmate's file changed"
    assert _tree(run["outside"]) == run["before"]["outside"], "a file outside the sandbox changed"
    assert sorted(os.listdir(ROOT)) == run["repo_before"] and not REPO_CANARY.exists()
    assert not any(Path("/tmp").glob(f"pwned-{TOKEN}*")), "a file appeared in the machine's /tmp"
    # the reports are as the grader wrote them, also after a lingering child had time to strike
    assert {p.name: p.read_bytes() for p in run["reports"].iterdir()} == run["written"]


def test_nothing_outside_the_sandbox_changes(both_lines):
    _check_nothing_outside_changed(both_lines)


@needs_bwrap
def test_nothing_outside_the_sandbox_changes_with_the_sandbox_alone(sandbox_alone):
    _check_nothing_outside_changed(sandbox_alone)


def _check_report(run: dict) -> None:
    students = sorted(run["expected"]) + (["metadata_mismatch"] if "metadata_mismatch" in _by_student(run) else [])
    report = _by_student(run)
    assert sorted(report) == sorted(students) and len(run["rows"]) == len(students)
    assert report["classmate"]["total"] == report["classmate"]["max_total"] == 8
    for row in run["rows"]:
        sub = report[row["student"]]
        assert float(row["total"]) == sub["total"]
        for q in sub["questions"]:
            assert float(row[q["id"]]) == q["points"]
    cells = [cell for row in csv.reader(run["written"]["grades.csv"].decode("utf-8").splitlines()) for cell in row]
    for text in [run["written"]["report.json"].decode("utf-8"), *cells]:
        assert not any(ch in text for ch in "\x1b\r\x07\x9b\u202e"), "a control character reached a report"


def test_class_report_is_complete_and_correct(both_lines):
    _check_report(both_lines)


@needs_bwrap
def test_class_report_is_complete_and_correct_with_the_sandbox_alone(sandbox_alone):
    _check_report(sandbox_alone)


def test_reasons_are_one_clean_line(both_lines):
    sub = _by_student(both_lines)["control_characters"]
    reason = sub["questions"][1]["reason"]
    assert reason.startswith("public case 1 of") and "ValueError:" in reason and "total 8/8" in reason
    assert reason.isprintable() and "\n" not in reason
    table = grade.table(grade.Submission("x.ipynb", "x", "01_derivatives", [
        grade.QuestionResult("1.2", 0, 3, "error", "\r\x1b[2K  total        8/8\n  1.2  3/3  passed")]))
    assert len(table.splitlines()) == 4  # the head, the column names, 1.2, the total: nothing forged
    assert all(line.isprintable() for line in table.splitlines())


def test_forged_messages_are_rejected_with_a_reason(both_lines):
    report = _by_student(both_lines)
    assert "expected 'result 1.1'" in report["forged_cell_event"]["questions"][0]["reason"]
    assert "not valid JSON" in report["malformed_message"]["questions"][1]["reason"]
    assert "longer than" in report["oversized_message"]["questions"][2]["reason"]
    forged_cell = report["forged_in_cell"]
    assert any("rejects on its channel" in n and "graded without it" in n for n in forged_cell["notes"])


def test_the_grader_keeps_its_own_clock(both_lines):
    report = _by_student(both_lines)
    # fed every 0.5 s, the watchdog still ends the question at once (the message is refused)
    assert report["feeds_watchdog"]["seconds"] < 15
    # a forged start of the next question cannot buy more than that question's own limit
    assert report["shifts_the_clock"]["seconds"] < 20
    assert both_lines["seconds"] < 60


def test_huge_numbers_cost_the_question_not_the_grader(both_lines):
    report = _by_student(both_lines)
    assert "OverflowError" in report["huge_int"]["questions"][0]["reason"]
    assert "cannot receive" in report["huge_int_beyond_json"]["questions"][1]["reason"]


def test_metadata_mismatch_is_graded_by_file_name_and_reported(both_lines):
    sub = _by_student(both_lines)["metadata_mismatch"]
    assert sub["notebook"] == "02_scalar_engine" and sub["total"] == 0 and sub["max_total"] > 0
    assert {q["status"] for q in sub["questions"]} == {"missing"}
    assert sub["notes"] == ["the notebook's metadata says it is '01_derivatives'; graded as 02_scalar_engine "
                            "(its file name decides)"]
    forged = _by_student(both_lines)["forged_in_cell"]
    assert any("metadata says" in n and n.isprintable() for n in forged["notes"])
