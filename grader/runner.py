"""The student's process: runs a submission's cells and a question's cases, reports results as JSON lines.

Started by the grader as ``python -m grader.runner JOB EVENTS``. It reads the job (cells, cases) and
imports what it needs, then installs an audit hook before any student code runs: no reading the
solutions or the grader's files, no writing outside its scratch folder, no programs, no ctypes, no
other process's ``/proc``. It never sees an expected value: it only reports what the student's functions
return, and the grader compares. The hook is a guard rail for a cooperative machine, not a security
boundary; grade untrusted code inside a container.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

_BLOCKED_EVENTS = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "os.kill", "os.killpg", "os.startfile", "pty.spawn", "sys.remote_exec", "os.add_dll_directory",
})
_MUTATING_EVENTS = frozenset({
    "os.remove", "os.rename", "os.link", "os.symlink", "os.truncate", "os.chmod", "os.chown", "os.utime",
    "os.mkdir", "os.rmdir", "shutil.rmtree", "shutil.move", "shutil.copyfile", "shutil.copytree",
    "os.chflags", "os.lchflags", "os.setxattr", "os.removexattr",
})
_READING_EVENTS = frozenset({"os.listdir", "os.scandir", "os.chdir", "glob.glob", "os.getxattr", "os.listxattr"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def make_audit_hook(protected: list[str], scratch: str) -> Any:
    """The hook: ``protected`` paths may not be opened or listed; files may only change under ``scratch``."""
    realpath, fsdecode, isdir = os.path.realpath, os.fsdecode, os.path.isdir
    protected = [realpath(p) for p in protected]
    scratch = realpath(scratch)
    own_proc = f"/proc/{os.getpid()}"

    def under(p: str, root: str) -> bool:
        return p == root or p.startswith(root.rstrip("/") + "/")

    def resolve(path: Any) -> str | None:
        if path is None or isinstance(path, int):
            return None
        try:
            return realpath(fsdecode(path))
        except (TypeError, ValueError):
            return None

    def forbidden_to_read(p: str) -> bool:
        if any(under(p, root) for root in protected):
            return True
        if p.startswith("/proc/"):
            head = "/".join(p.split("/")[:3])
            return head[6:].isdigit() and head != own_proc
        return False

    def deny(what: str) -> None:
        raise PermissionError(f"not allowed while grading: {what}")

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            p = resolve(path)
            if p is None:
                return
            if forbidden_to_read(p):
                deny(f"opening {p}")
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writing and not under(p, scratch) and p != "/dev/null":
                deny(f"writing {p}")
            if mode is None and not under(p, scratch) and isdir(p):
                deny(f"opening the folder {p}")
        elif event in _BLOCKED_EVENTS or event.startswith(("ctypes.", "_posixsubprocess", "winreg", "socket")):
            deny(event)
        elif event in _MUTATING_EVENTS or event in _READING_EVENTS:
            for a in args:
                p = resolve(a) if isinstance(a, (str, bytes, os.PathLike)) else None
                if p is None:
                    continue
                if forbidden_to_read(p):
                    deny(f"{event} on {p}")
                if event in _MUTATING_EVENTS and not under(p, scratch):
                    deny(f"{event} on {p}")

    return hook


class _Channel:
    """JSON lines on a file descriptor opened before any student code ran."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._write, self._dumps = os.write, json.dumps

    def emit(self, **event: Any) -> None:
        data = (self._dumps(event, allow_nan=False) + "\n").encode()
        while data:
            data = data[self._write(self.fd, data):]


def main(job_path: str, events_path: str) -> None:
    """Run the job: cells in order (each guarded), then each question's cases; report every step."""
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    channel = _Channel(events_path)
    os.chdir(job["scratch"])
    for var, value in {"MPLBACKEND": "Agg", "TMPDIR": job["scratch"], "MPLCONFIGDIR": job["scratch"],
                       "HOME": job["scratch"]}.items():
        os.environ[var] = value
    sys.dont_write_bytecode = True
    try:
        import resource

        limit = int(job.get("memory_bytes", 4 * 2**30))
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 2**20, 64 * 2**20))
    except (ImportError, ValueError, OSError):
        pass

    import linecache

    import numpy  # noqa: F401 - imported before the hook, as a student's notebook will

    import engine  # noqa: F401

    from . import cases
    from .codec import decode
    from .notebook import strip_magics
    from .spec import load_spec

    cases.disable_forever()
    spec = load_spec(job["spec"])
    questions = [(spec.question(item["id"]), [decode(a) for a in item["cases"]]) for item in job["questions"]]
    run_case, TimeLimit, time_limit = cases.run_case, cases.TimeLimit, cases.time_limit
    describe_exception = cases.describe_exception
    cells: list[tuple[int, str]] = [(int(i), str(s)) for i, s in job["cells"]]
    skip = set(job.get("skip", []))
    cell_timeout = float(job["cell_timeout"])
    ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}

    sys.addaudithook(make_audit_hook(job["protected"], job["scratch"]))

    def run_cell(i: int, src: str) -> str | None:
        filename = f"<cell {i}>"
        try:
            code = strip_magics(src)
            linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
            with time_limit(cell_timeout):
                exec(compile(code, filename, "exec"), ns)
        except TimeLimit:
            return f"time limit of {cell_timeout:g} s exceeded"
        except BaseException as e:
            return describe_exception(e)
        return None

    retry = []
    for i, src in cells:
        if i in skip:
            continue
        channel.emit(ev="cell", i=i)
        error = run_cell(i, src)
        channel.emit(ev="cell_done", i=i, error=error)
        if error and error.startswith("NameError"):
            retry.append((i, src))
    for i, src in retry:  # a cell that used a name a later cell defines (reordered cells)
        channel.emit(ev="cell", i=i)
        channel.emit(ev="cell_done", i=i, error=run_cell(i, src))

    for q, q_cases in questions:
        channel.emit(ev="q", id=q.id)
        fn = ns.get(q.function)
        if fn is None or not callable(fn):
            reason = f"`{q.function}` is not defined (was the cell of Exercise {q.id} deleted or not run?)"
            if fn is not None:
                reason = f"`{q.function}` is a {type(fn).__name__}, not a function"
            channel.emit(ev="result", id=q.id, status="missing", reason=reason, outputs=[])
            continue
        outputs: list[Any] = []
        status, reason = "ok", ""
        limit = float(job.get("question_timeout") or q.timeout)
        try:
            with time_limit(limit):
                for args in q_cases:
                    status, out = run_case(q, fn, args)
                    if status != "ok":
                        reason = out
                        break
                    outputs.append(out)
        except TimeLimit:
            status, reason = "timeout", f"time limit of {limit:g} s exceeded"
        channel.emit(ev="result", id=q.id, status=status, reason=str(reason)[:500], outputs=outputs)
    channel.emit(ev="done")


if __name__ == "__main__":
    try:
        main(sys.argv[1], sys.argv[2])
    except BaseException:
        import traceback

        traceback.print_exc()
        os._exit(2)
    os._exit(0)  # at once: no atexit handler or thread of the student's runs after the last report
