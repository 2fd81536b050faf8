"""The floor plan holds: the engine needs numpy alone, and nothing imports in a circle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imported_after(statement: str) -> set[str]:
    code = f"import sys; before = set(sys.modules); {statement}; print('\\n'.join(sorted(set(sys.modules) - before)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(out.stdout.split())


def test_engine_imports_numpy_alone():
    loaded = _imported_after("import engine")
    tops = {name.split(".")[0] for name in loaded}
    assert "engine" in tops and "numpy" in tops
    for banned in ("matplotlib", "ipywidgets", "IPython", "course", "grader", "tqdm", "scipy"):
        assert banned not in tops, f"import engine pulled in {banned}"


def test_a_check_fails_when_the_engine_pulls_in_the_course():
    # the test above would see it: importing course.viz after engine shows up in the same listing
    assert "course" in {n.split(".")[0] for n in _imported_after("import engine, course.viz")}


def test_no_import_circle_in_the_engine():
    """Each engine module, imported first and alone, imports cleanly (a circle breaks one of them)."""
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "engine").rglob("*.py")
    )
    for module in modules:
        result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, f"import {module} fails on its own:\n{result.stderr[-800:]}"


def test_ops_see_numpy_only():
    for path in (ROOT / "engine" / "ops").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "tensor import" not in text and "Tensor(" not in text, f"{path.name} reaches for Tensor"


def test_course_and_grader_are_separate():
    for path in (ROOT / "engine").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import course" not in text and "from course" not in text, path
        assert "import grader" not in text and "from grader" not in text, path
    for path in (ROOT / "course").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "grader" not in text, f"{path} imports the grader"


def test_the_makefile_exports_the_reproducible_environment():
    from course import reproducible

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for key, value in reproducible.ENV.items():
        assert f"export {key} := {value}" in makefile, f"the Makefile does not export {key}={value}"
