"""The student's process: runs a submission's cells and a question's cases, reports results as JSON lines.

Started by the grader as ``python -m grader.runner JOB CHANNEL`` (CHANNEL: the number of an inherited
pipe, or a file), inside bubblewrap when it is available (``grader.sandbox``). It reads the job (cells,
cases, limits), imports what it needs, sets its rlimits (memory, file size, CPU time, open files and, in
the sandbox, processes), then installs an audit hook before any student code runs: no reading the
solutions or the grader's files, no writing outside its scratch folder, no folders opened as file
descriptors, no programs, signals, ctypes, sockets, links or ``gc`` introspection. It never sees an
expected value: it only reports what the student's functions return, and the grader compares.

The hook is the second line: everything the submission runs shares this process, so a determined one
can get past it. The first line is the sandbox, and the grader trusts nothing this process writes
(``grader.events``).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

_BLOCKED_EVENTS = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "os.kill", "os.killpg", "os.startfile", "pty.spawn", "sys.remote_exec", "os.add_dll_directory",
    "signal.pthread_kill", "os.symlink", "os.link", "gc.get_objects", "gc.get_referrers",
    "gc.get_referents", "sys.settrace", "sys.setprofile", "sys._current_frames",
})
_BLOCKED_PREFIXES = ("ctypes.", "_posixsubprocess", "winreg", "socket")
_MUTATING_EVENTS = frozenset({
    "os.remove", "os.rename", "os.truncate", "os.chmod", "os.chown", "os.utime",
    "os.mkdir", "os.rmdir", "shutil.rmtree", "shutil.move", "shutil.copyfile", "shutil.copytree",
    "os.chflags", "os.lchflags", "os.setxattr", "os.removexattr",
})
_READING_EVENTS = frozenset({"os.listdir", "os.scandir", "glob.glob", "os.getxattr", "os.listxattr"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
#: rlimits when the job names none: bytes of address space, bytes per file, seconds of CPU, processes
DEFAULT_LIMITS = {"memory_bytes": 4 * 2**30, "file_bytes": 64 * 2**20, "cpu_seconds": 330, "processes": 16,
                  "open_files": 256}


def make_audit_hook(protected: list[str], scratch: str) -> Any:
    """The hook: ``protected`` paths may not be opened or listed; files may only change under ``scratch``.

    Everything it uses is bound here, so that changing the module's globals, ``builtins`` or
    ``sys.modules["__main__"]`` afterwards changes nothing; its own functions' code cannot be replaced.
    """
    realpath, fsdecode, isdir, isabs = os.path.realpath, os.fsdecode, os.path.isdir, os.path.isabs
    _isinstance, _any, _tuple, _str, _bytes, _int = isinstance, any, tuple, str, bytes, int
    _PathLike, _PermissionError, _id = os.PathLike, PermissionError, id
    blocked, prefixes = _BLOCKED_EVENTS, _BLOCKED_PREFIXES
    mutating, reading = _MUTATING_EVENTS, _READING_EVENTS
    write_flags, o_directory = _WRITE_FLAGS, os.O_DIRECTORY
    protected = [realpath(p) for p in protected]
    scratch = realpath(scratch)
    own_proc = f"/proc/{os.getpid()}"
    own_functions: set[int] = set()

    def under(p: str, root: str) -> bool:
        return p == root or p.startswith(root.rstrip("/") + "/")

    def resolve(path: Any) -> str | None:
        if path is None or _isinstance(path, _int):
            return None
        try:
            text = fsdecode(path)
        except (TypeError, ValueError):
            return None
        if not isabs(text) and ".." in text.replace("\\", "/").split("/"):
            deny(f"a relative path with '..' ({text})")
        try:
            return realpath(text)
        except (TypeError, ValueError):
            return None

    def forbidden_to_read(p: str) -> bool:
        if _any(under(p, root) for root in protected):
            return True
        if p.startswith("/proc/"):
            head = "/".join(p.split("/")[:3])
            return head[6:].isdigit() and head != own_proc
        return False

    def deny(what: str) -> None:
        raise _PermissionError(f"not allowed while grading: {what}")

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = (_tuple(args) + (None, None, None))[:3]
            p = resolve(path)
            if p is None:
                return
            if forbidden_to_read(p):
                deny(f"opening {p}")
            writing = (_isinstance(mode, _str) and _any(c in mode for c in "wax+")) or (
                _isinstance(flags, _int) and flags & write_flags
            )
            if writing and not under(p, scratch) and p != "/dev/null":
                deny(f"writing {p}")
            if (_isinstance(flags, _int) and flags & o_directory) or (mode is None and isdir(p)):
                deny(f"opening the folder {p}")
        elif event in blocked or event.startswith(prefixes):
            deny(event)
        elif event == "os.chdir":
            p = resolve(args[0] if args else None)
            if p is not None and not under(p, scratch):
                deny(f"changing into {p}")
        elif event == "object.__setattr__":
            if args and _id(args[0]) in own_functions:
                deny("changing the grader's guard")
        elif event in mutating or event in reading:
            for a in args:
                p = resolve(a) if _isinstance(a, (_str, _bytes, _PathLike)) else None
                if p is None:
                    continue
                if forbidden_to_read(p):
                    deny(f"{event} on {p}")
                if event in mutating and not under(p, scratch):
                    deny(f"{event} on {p}")

    own_functions.update(_id(f) for f in (under, resolve, forbidden_to_read, deny, hook))
    return hook


class _Channel:
    """JSON lines on a file descriptor opened (or inherited) before any student code ran."""

    def __init__(self, target: str) -> None:
        if target.isdigit():
            self.fd = int(target)
        else:
            self.fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.set_inheritable(self.fd, False)
        self._write, self._dumps = os.write, json.dumps

    def line(self, event: dict[str, Any]) -> bytes:
        """The message as one line of JSON; raises (ValueError, TypeError...) for what JSON cannot hold."""
        return (self._dumps(event, allow_nan=False) + "\n").encode()

    def emit(self, **event: Any) -> None:
        data = self.line(event)
        while data:
            data = data[self._write(self.fd, data):]


def set_limits(limits: dict[str, Any], processes: bool) -> None:
    """The rlimits (soft = hard, so the submission cannot raise them); ``processes`` only in the sandbox,
    where the process runs as its own user (for a user outside it, the count includes all their processes).
    """
    try:
        import resource
    except ImportError:
        return
    values = {**DEFAULT_LIMITS, **{k: v for k, v in limits.items() if v is not None}}
    pairs = [(resource.RLIMIT_AS, values["memory_bytes"]), (resource.RLIMIT_FSIZE, values["file_bytes"]),
             (resource.RLIMIT_CPU, values["cpu_seconds"]), (resource.RLIMIT_NOFILE, values["open_files"]),
             (resource.RLIMIT_CORE, 0)]
    if processes:
        pairs.append((resource.RLIMIT_NPROC, values["processes"]))
    for which, value in pairs:
        try:
            resource.setrlimit(which, (int(value), int(value)))
        except (ValueError, OSError):
            pass


class _Question:
    """A question as the runner knows it: its plain settings (``grader.spec_view.question_fields``) and
    its ``call``; ``run`` is ``grader.spec.Question.run``."""

    def __init__(self, fields: dict[str, Any], call: Any) -> None:
        self.__dict__.update(fields)
        self.call = call

    def run(self, fn: Any, args: tuple) -> Any:
        return self.call(fn, *args) if self.call is not None else fn(*args)


def _load_module(path: str) -> Any:
    """The spec module (in the sandbox, its view) at ``path``, imported as ``grader.specs.<name>``."""
    import importlib.util

    name = f"grader.specs.{os.path.splitext(os.path.basename(path))[0]}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main(job_path: str, channel_target: str) -> None:
    """Run the job: cells in order (each guarded), then each question's cases; report every step."""
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    channel = _Channel(channel_target)
    os.chdir(job["scratch"])
    for var, value in {"MPLBACKEND": "Agg", "TMPDIR": job["scratch"], "MPLCONFIGDIR": job["scratch"],
                       "HOME": job["scratch"]}.items():
        os.environ[var] = value
    sys.dont_write_bytecode = True
    set_limits(job.get("limits") or {}, bool(job.get("sandboxed")))

    import linecache

    import numpy  # noqa: F401 - imported before the hook, as a student's notebook will

    import engine  # noqa: F401

    from . import cases
    from .codec import decode
    from .notebook import strip_magics

    cases.disable_forever()
    module = _load_module(job["spec"])
    questions = [(_Question(item["fields"], getattr(module, item["call"]) if item.get("call") else None),
                  [decode(a) for a in item["cases"]]) for item in job["questions"]]
    run_case, TimeLimit, time_limit = cases.run_case, cases.TimeLimit, cases.time_limit
    describe_exception = cases.describe_exception
    cells: list[tuple[int, str]] = [(int(i), str(s)) for i, s in job["cells"]]
    skip = set(job.get("skip", []))
    cell_timeout = float(job["cell_timeout"])
    ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    line = channel.line

    if job.get("audit_hook", True):
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
                    try:
                        line({"out": out})  # what JSON cannot carry (a 5000-digit int) fails here, not below
                    except Exception as e:
                        status, reason = "wrong type", f"returned a value the grader cannot receive ({e})"
                        break
                    outputs.append(out)
        except TimeLimit:
            status, reason = "timeout", f"time limit of {limit:g} s exceeded"
        except Exception as e:  # an output that cannot be checked above (a lying object)
            status, reason = "error", describe_exception(e)
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
