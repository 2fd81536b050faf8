"""Each submission's process inside bubblewrap (``bwrap``, the sandbox Flatpak uses).

The process gets new user, PID, network, IPC, UTS (and, where possible, cgroup) namespaces, dies with
the grader (``--die-with-parent``), and sees only: the system's ``/usr``, the Python environment, the
engine, the course and the grader's code read-only, the part of its spec that runs a case (a view:
``grader.spec_view``), its job (read-only: the submission's cells and the cases of the questions it
still has to answer, never an expected value), a fresh ``/proc`` of its own PID namespace, a minimal
``/dev`` and one private ``/tmp`` of ``SCRATCH_BYTES`` as the only writable place. Not the solutions,
not the specs' generators, comparisons or mutants, not the reports, not the other submissions, not
the grader's process, not the network. ``/`` itself is read-only.
Inside, ``grader.runner`` sets rlimits on processes, memory, CPU time and file size before any of the
submission's code runs, and keeps its audit hook as a second line.

Run as root (CI, containers), the grader first stages what is bound (in a private mount namespace: a
first ``bwrap`` as root, which sees the whole machine but runs only ``setpriv``), then drops to
uid ``SANDBOX_UID`` before the sandbox is built: a process-count rlimit is not enforced for root, and
the sandbox should not be root in any namespace that owns the host's files. Run as a user, ``bwrap``
is started directly.

Where ``bwrap`` is missing or cannot create its namespaces (macOS, a kernel without user namespaces),
``status()`` says why; ``grader.grade`` then says in one line that submissions are not isolated, and
``--sandbox require`` (what ``python -m grader`` uses) refuses to grade. The learner's in-notebook
``check()`` never uses any of this.
"""

from __future__ import annotations

import ast
import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .spec import GRADER_DIR, ROOT, SPECS_DIR

MODES = ("auto", "require", "off")
#: the only writable place inside the sandbox (a private tmpfs), and its size
SCRATCH = "/tmp"
SCRATCH_BYTES = 128 * 2**20
#: where the job (cells and cases) appears inside the sandbox, read-only
JOB = "/job.json"
#: the uid a root grader drops to before building the sandbox (nobody)
SANDBOX_UID = 65534
_STAGE = "/tmp"  # in the root launcher's private mount namespace only
_PROBE_TIMEOUT = 30.0


class SandboxUnavailable(RuntimeError):
    """Isolation was required and bubblewrap cannot provide it here."""


def read_only_paths(views: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """``(host path, sandbox path)`` of everything bound read-only: the system, Python, the code, and
    ``views`` (``{spec path: the file that stands in for it}``, see ``grader.spec_view``)."""
    paths: list[str] = ["/usr"]
    if Path("/etc/ld.so.cache").is_file():
        paths.append("/etc/ld.so.cache")
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if Path(top).is_dir() and not Path(top).is_symlink():
            paths.append(top)  # a system without the merged /usr
    for prefix in (sys.base_prefix, sys.prefix, str(Path(sys.executable).resolve().parent.parent)):
        paths.append(os.path.realpath(prefix))
    paths += [str(ROOT / "engine"), str(ROOT / "course")]
    paths += [str(p) for p in sorted(GRADER_DIR.glob("*.py"))]
    out: list[str] = []
    for p in paths:  # drop duplicates and paths inside another bound folder
        if p not in out and not any(p.startswith(q.rstrip("/") + "/") for q in paths if q != p):
            out.append(p)
    return [(p, p) for p in out] + [(host, dest) for dest, host in sorted((views or {}).items())]


def spec_files(spec_path: Path) -> list[Path]:
    """The spec module and the other spec modules it imports (``from grader.specs.ch05 import ...``)."""
    todo, found = [Path(spec_path).resolve()], []
    while todo:
        path = todo.pop()
        if path in found or not path.is_file():
            continue
        found.append(path)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom):
                base = "grader.specs." * (node.level == 1 and path.parent == SPECS_DIR) + (node.module or "")
                names = [base] + [f"{base}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("grader.specs."):
                    todo.append(SPECS_DIR / (name.split(".")[2] + ".py"))
    return found


def _symlinks() -> list[str]:
    args = []
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if Path(top).is_symlink():
            args += ["--symlink", os.readlink(top), top]
    return args


def environment(extra: dict[str, str]) -> dict[str, str]:
    """The whole environment of the sandboxed process (nothing is inherited)."""
    env = {
        "PATH": "/usr/bin:/bin", "HOME": SCRATCH, "TMPDIR": SCRATCH, "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT), "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": SCRATCH,
    }
    env.update(extra)
    return env


@dataclass(frozen=True)
class Sandbox:
    """How to start a command inside bubblewrap (``bwrap`` is the path of the binary)."""

    bwrap: str
    as_root: bool
    setpriv: str | None = None
    scratch_bytes: int = SCRATCH_BYTES

    def command(self, argv: list[str], *, views: dict[str, str], job_fd: int, env: dict[str, str]) -> list[str]:
        """The command line that runs ``argv`` in a fresh sandbox; ``job_fd`` becomes ``JOB`` inside, and
        each file of ``views`` appears at its key's path (the spec modules the runner may see).

        The caller passes ``job_fd`` (and any channel) with ``pass_fds`` and starts the process in a new
        session; killing that session's process group ends the whole sandbox.
        """
        binds = read_only_paths(views)
        outer: list[str] = []
        if self.as_root:
            outer = [self.bwrap, "--dev-bind", "/", "/", "--tmpfs", _STAGE, "--die-with-parent",
                     "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
            staged = []
            for k, (src, dst) in enumerate(binds):
                outer += ["--ro-bind", src, f"{_STAGE}/{k}"]
                staged.append((f"{_STAGE}/{k}", dst))
            binds = staged
            outer += ["--", str(self.setpriv), f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_UID}",
                      "--clear-groups", "--"]
        inner = [self.bwrap, "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc",
                 "--unshare-uts", "--unshare-cgroup-try", "--disable-userns", "--die-with-parent",
                 "--new-session", "--hostname", "sandbox", "--clearenv"]
        for key, value in environment(env).items():
            inner += ["--setenv", key, value]
        # the scratch tmpfs first: a checkout (or its venv) under /tmp is then bound on top of it, not hidden
        inner += ["--size", str(self.scratch_bytes), "--tmpfs", SCRATCH]
        for src, dst in binds:
            inner += ["--ro-bind", src, dst]
        inner += _symlinks()
        inner += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",  # a tmpfs: writable until then
                  "--ro-bind-data", str(job_fd), JOB, "--remount-ro", "/", "--chdir", SCRATCH, "--", *argv]
        return outer + inner


def find() -> Sandbox | None:
    """The sandbox this machine can offer (not yet tried), or None when ``bwrap`` is not installed."""
    bwrap = shutil.which("bwrap")
    if bwrap is None or not sys.platform.startswith("linux"):
        return None
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        return Sandbox(bwrap, True, setpriv) if setpriv else None
    return Sandbox(bwrap, False)


@functools.lru_cache(maxsize=1)
def status() -> tuple[Sandbox | None, str]:
    """The working sandbox and ``""``, or None and one sentence saying why there is none (tried once)."""
    box = find()
    if box is None:
        if not shutil.which("bwrap"):
            return None, "bubblewrap (bwrap) is not installed (scripts/sandbox_setup.sh installs it)"
        return None, "bubblewrap needs Linux and, run as root, util-linux's setpriv"
    r_fd, w_fd = os.pipe()
    try:
        os.write(w_fd, b"{}")
        os.close(w_fd)
        probe = f"import engine, grader.runner, sys; sys.exit(0 if open({JOB!r}).read() == '{{}}' else 3)"
        cmd = box.command([sys.executable, "-c", probe], views={}, job_fd=r_fd, env={})
        r = subprocess.run(cmd, pass_fds=(r_fd,), stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=_PROBE_TIMEOUT, start_new_session=True)
    except (OSError, subprocess.SubprocessError) as e:
        return None, f"bubblewrap could not be started ({e})"
    finally:
        os.close(r_fd)
    if r.returncode != 0:
        lines = r.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, f"bubblewrap cannot create a sandbox here ({lines[-1] if lines else r.returncode})"
    return box, ""


def resolve(mode: str) -> Sandbox | None:
    """The sandbox for a ``--sandbox`` mode: ``require`` raises ``SandboxUnavailable`` if there is none."""
    if mode not in MODES:
        raise ValueError(f"--sandbox must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "off":
        return None
    box, why = status()
    if box is None and mode == "require":
        raise SandboxUnavailable(f"refusing to grade: submissions cannot be isolated: {why}")
    return box


def warning(mode: str) -> str | None:
    """The one line to print when submissions will run without isolation, else None."""
    if mode == "off":
        return "grade: --sandbox off: submissions are NOT isolated (they run with your permissions)"
    box, why = status()
    if box is None:
        return f"grade: submissions are NOT isolated: {why}"
    return None
