"""The sandbox a submission runs in: what it sees, what it may change, its limits, its end.

A probe program runs inside exactly the sandbox the grader builds and reports what it finds. The tests
that need bubblewrap say so and are skipped where it cannot run; those about the decision to grade
without it run everywhere.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader import __main__ as class_command
from grader import grade, sandbox, spec_view
from grader.spec import EXERCISES_DIR, GRADER_DIR, ROOT, SOLUTIONS_DIR, SPECS_DIR, all_specs

BOX, WHY = sandbox.status()
needs_bwrap = pytest.mark.skipif(BOX is None, reason=f"needs bubblewrap, which cannot run here: {WHY}")
SPEC = all_specs()["01_derivatives"]


@pytest.fixture(scope="module")
def views(tmp_path_factory):
    """The view of chapter 1's spec, as the grader binds it."""
    sources = spec_view.views(SPEC, {spec_view.call_name(q, SPEC) for q in SPEC.questions} - {None})
    folder = tmp_path_factory.mktemp("views")
    out = {}
    for k, (dest, source) in enumerate(sorted(sources.items())):
        (folder / f"spec{k}.py").write_text(source)
        out[dest] = str(folder / f"spec{k}.py")
    return out


def run_inside(code: str, job: bytes = b"{}", views: dict | None = None, timeout: float = 60.0) -> dict:
    """Run ``code`` (which fills the dict ``out``) in a fresh sandbox; the dict it prints."""
    program = f"import json, os, sys\nout = {{}}\n{code}\nprint(json.dumps(out))"
    r_fd, w_fd = os.pipe()
    os.write(w_fd, job)
    os.close(w_fd)
    try:
        cmd = BOX.command([sys.executable, "-c", program], views=views or {}, job_fd=r_fd, env={})
        r = subprocess.run(cmd, pass_fds=(r_fd,), capture_output=True, timeout=timeout, start_new_session=True)
    finally:
        os.close(r_fd)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    return json.loads(r.stdout.decode().strip().splitlines()[-1])


def test_read_only_paths_hold_the_code_but_no_answers(views):
    paths = [src for src, _ in sandbox.read_only_paths(views)]
    assert str(ROOT / "engine") in paths and str(GRADER_DIR / "runner.py") in paths
    assert list(views.values()) == [p for p in paths if p in views.values()]
    for secret in (SOLUTIONS_DIR, EXERCISES_DIR, ROOT / ".git", GRADER_DIR, SPECS_DIR, ROOT):
        assert str(secret) not in paths
    assert not [p for p in paths if p.startswith((str(SOLUTIONS_DIR), str(SPECS_DIR)))]


@pytest.mark.parametrize("name", sorted(all_specs()))
def test_the_runner_sees_only_the_calls_of_a_spec(name):
    spec = all_specs()[name]
    calls = {q.id: spec_view.call_name(q, spec) for q in spec.questions}  # LookupError: a call to name
    sources = spec_view.views(spec, set(calls.values()) - {None})
    text = "".join(sources.values())
    for q in spec.questions:
        for m in q.mutants:  # a mutant's `old` quotes the solution
            assert m.name not in text
            assert not [s for s in (m.old, m.new) if len(s.strip()) >= 15 and s in text], m
        if q.hidden.__name__ != "<lambda>" and q.hidden.__name__ not in calls.values():
            assert f"def {q.hidden.__name__}(" not in text  # the hidden cases' generator
        assert "compare" not in spec_view.question_fields(q) and "mutants" not in spec_view.question_fields(q)
    ns: dict = {}
    exec(compile(sources[str(spec.path)], str(spec.path), "exec"), ns)  # the view runs on its own
    for call in calls.values():
        assert call is None or callable(ns[call])


@needs_bwrap
def test_sees_only_what_it_needs(tmp_path, views):
    secret = tmp_path / "classmate.ipynb"
    secret.write_text("{}")
    out = run_inside(f"""
import socket
out["root"] = sorted(os.listdir("/"))
out["repo"] = sorted(os.listdir({str(ROOT)!r}))
out["grader"] = sorted(os.listdir({str(GRADER_DIR)!r}))
out["specs"] = sorted(os.listdir({str(SPECS_DIR)!r}))
out["exists"] = [os.path.exists(p) for p in ({str(SOLUTIONS_DIR)!r}, {str(EXERCISES_DIR)!r},
                                              {str(ROOT / '.git')!r}, {str(secret)!r})]
out["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
out["uid"], out["host"] = os.getuid(), socket.gethostname()
out["tmp"] = os.listdir("/tmp")
out["job"] = open({sandbox.JOB!r}).read()
out["net"] = [name for _, name in socket.if_nameindex()]
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    out["connect"] = "connected"
except OSError as e:
    out["connect"] = type(e).__name__
out["spec"] = open({str(SPEC.path)!r}).read()
import engine, grader.runner
out["imports"] = engine.__name__
""", job=b'{"cells": []}', views=views)
    assert out["repo"] == sorted([".venv", "course", "engine", "grader"]) or out["repo"] == sorted(
        ["course", "engine", "grader"])
    assert "solutions" not in out["grader"] and "AUTHORING.md" not in out["grader"]
    assert out["specs"] == ["ch01.py"] and out["spec"] == Path(views[str(SPEC.path)]).read_text()
    assert "Mutant(" not in out["spec"] and "def _point(" not in out["spec"]  # no mutants, no generators
    assert out["exists"] == [False, False, False, False]
    assert len(out["pids"]) <= 3  # bubblewrap's init, the probe (and nothing of the machine's)
    # the scratch is empty but for the folders of bound paths under /tmp (a checkout there, as CI may make)
    bound_in_tmp = sorted({Path(dst).parts[2] for _, dst in sandbox.read_only_paths()
                           if dst.startswith(sandbox.SCRATCH + "/")})
    assert out["host"] == "sandbox" and out["tmp"] == bound_in_tmp and out["job"] == '{"cells": []}'
    assert out["net"] == ["lo"] and out["connect"] != "connected"
    if os.geteuid() == 0:
        assert out["uid"] == sandbox.SANDBOX_UID  # never root, in any namespace that owns the host's files


@needs_bwrap
def test_only_its_tmp_is_writable():
    out = run_inside(f"""
out["write"] = {{}}
for p in ("/tmp/a", "/a", {str(ROOT / 'engine' / 'pwned.py')!r}, {str(GRADER_DIR / 'pwned')!r},
          sys.prefix + "/pwned", {sandbox.JOB!r}, "/usr/pwned", "/dev/pwned", "/dev/shm/pwned", "/proc/pwned"):
    try:
        open(p, "w").write("x")
        out["write"][p] = "written"
    except OSError as e:
        out["write"][p] = type(e).__name__
open("/dev/null", "w").write("x")
out["null"] = "written"
""")
    assert out["write"].pop("/tmp/a") == "written" and out.pop("null") == "written"
    # A checkout under /tmp (as CI may make) has its bound paths' folders made inside the private scratch:
    # writable there like any scratch file, seen by nothing outside the sandbox. Nowhere else is writable.
    in_scratch = {p for p in out["write"] if p.startswith(sandbox.SCRATCH + "/")}
    assert not in_scratch or str(ROOT).startswith(sandbox.SCRATCH + "/")
    assert out["write"][str(ROOT / "engine" / "pwned.py")] != "written"  # the code itself stays read-only
    rest = {p: v for p, v in out["write"].items() if p not in in_scratch}
    assert set(rest.values()) <= {"OSError", "PermissionError", "FileNotFoundError"}, out


@needs_bwrap
def test_rlimits_and_the_size_of_tmp():
    out = run_inside("""
from grader.runner import set_limits
set_limits({"file_bytes": 8 * 2**20, "processes": 6, "memory_bytes": 2 * 2**30}, True)
forks = 0
try:
    for _ in range(50):
        if os.fork() == 0:
            import time; time.sleep(5); os._exit(0)
        forks += 1
except OSError as e:
    out["fork"] = type(e).__name__
out["forks"] = forks
try:
    open("/tmp/big", "wb").write(b"x" * (9 * 2**20))
except OSError as e:
    out["file"] = e.errno
try:
    bytearray(3 * 2**30)
except MemoryError:
    out["memory"] = "MemoryError"
""")
    import errno

    assert out["fork"] == "BlockingIOError" and out["forks"] < 6  # EAGAIN: the process rlimit holds
    assert out["file"] == errno.EFBIG and out["memory"] == "MemoryError"
    out = run_inside("""
written = 0
try:
    with open("/tmp/fill", "wb") as f:
        for _ in range(64):
            f.write(b"x" * 2**22)
            f.flush()
            written += 2**22
except OSError as e:
    out["errno"] = e.errno
out["written"] = written
""")
    import errno

    assert out["errno"] == errno.ENOSPC and out["written"] <= sandbox.SCRATCH_BYTES


@needs_bwrap
def test_killing_the_sandbox_ends_every_process_in_it():
    marker = f"lingering-{secrets.token_hex(6)}"
    program = f"""
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(60)  # {marker}
    os._exit(0)
print("ready", flush=True)
time.sleep(60)
"""
    r_fd, w_fd = os.pipe()
    os.close(w_fd)
    cmd = BOX.command([sys.executable, "-c", program], views={}, job_fd=r_fd, env={})
    proc = subprocess.Popen(cmd, pass_fds=(r_fd,), stdout=subprocess.PIPE, start_new_session=True)
    os.close(r_fd)
    assert proc.stdout.readline().strip() == b"ready"

    def alive() -> list[str]:
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
            except OSError:
                pass
        return found

    assert len(alive()) >= 2  # the probe and its setsid grandchild (the test can see them)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    end = time.monotonic() + 5
    while alive() and time.monotonic() < end:
        time.sleep(0.05)
    assert alive() == []


@needs_bwrap
def test_a_correct_submission_scores_full_marks_in_the_sandbox():
    sub = grade.grade_all([SOLUTIONS_DIR / "01_derivatives.ipynb"], seed=3, limits=grade.Limits(),
                          progress=False, sandbox="require")[0]
    assert sub.total == sub.max_total == 8 and not sub.notes


def test_without_bubblewrap_it_says_so_and_require_refuses(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(sandbox, "status", lambda: (None, "bubblewrap (bwrap) is not installed"))
    assert sandbox.resolve("auto") is None and sandbox.resolve("off") is None
    with pytest.raises(sandbox.SandboxUnavailable, match="refusing to grade"):
        sandbox.resolve("require")
    line = sandbox.warning("auto")
    assert "NOT isolated" in line and "\n" not in line
    with pytest.raises(sandbox.SandboxUnavailable):
        grade.grade_all([SOLUTIONS_DIR / "01_derivatives.ipynb"], seed=0, limits=grade.Limits(),
                        progress=False, sandbox="require")
    csv_path, json_path = tmp_path / "g.csv", tmp_path / "r.json"
    code = class_command.main([str(SOLUTIONS_DIR / "01_derivatives.ipynb"), "--csv", str(csv_path),
                               "--json", str(json_path)])
    assert code == 3 and not csv_path.exists() and not json_path.exists()
    assert "refusing to grade" in capsys.readouterr().err
    assert grade.main([str(SOLUTIONS_DIR / "01_derivatives.ipynb"), "--sandbox", "require", "-q"]) == 3
    with pytest.raises(ValueError):
        sandbox.resolve("maybe")


def test_auto_grades_without_isolation_and_says_so_in_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(sandbox, "status", lambda: (None, "bubblewrap (bwrap) is not installed"))
    code = grade.main([str(SOLUTIONS_DIR / "01_derivatives.ipynb"), "-q", "--csv", str(tmp_path / "g.csv"),
                       "--seed", "1"])
    err = [line for line in capsys.readouterr().err.splitlines() if "isolated" in line]
    assert code == 0 and len(err) == 1 and "NOT isolated" in err[0]
    assert (tmp_path / "g.csv").read_text().splitlines()[1] == "solutions,2,3,3,8"
