"""Tests of scripts/install_cell.py: the Colab install cell goes first, once, hidden, and is harmless here."""

import json
import shutil
from pathlib import Path

import pytest

from scripts import install_cell as ic

ROOT = Path(__file__).resolve().parent.parent
URL = "https://github.com/example-fork/rnns"


@pytest.fixture
def notebooks(tmp_path):
    """Copies of a chapter, a student notebook and a solution notebook."""
    names = ["book/04_recurrent_neuron.ipynb", "exercises/04_recurrent_neuron.ipynb",
             "grader/solutions/04_recurrent_neuron.ipynb"]
    out = []
    for name in names:
        target = tmp_path / name.replace("/", "__")
        shutil.copy(ROOT / name, target)
        out.append(target)
    return out


def test_inserts_the_cell_first_then_changes_nothing(notebooks):
    for path in notebooks:
        before = json.loads(path.read_text(encoding="utf-8"))
        assert ic.process(path, URL) is True
        once = path.read_bytes()
        assert ic.process(path, URL) is False  # idempotent: no byte changes on a second run
        assert path.read_bytes() == once
        assert ic.process(path, URL, check=True) is False
        nb = json.loads(once)
        first = nb["cells"][0]
        assert first["id"] == ic.CELL_ID and first["metadata"]["tags"] == ["remove-cell"]
        assert f"git+{URL}" in "".join(first["source"])
        others = [c for c in nb["cells"][1:]]
        assert others == [c for c in before["cells"] if c.get("id") != ic.CELL_ID]  # the rest untouched
        assert sum(c.get("id") == ic.CELL_ID for c in nb["cells"]) == 1


def test_refreshes_a_changed_or_misplaced_cell(notebooks):
    path = notebooks[0]
    ic.process(path, URL)
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"].append(nb["cells"].pop(0))  # moved to the end
    path.write_text(ic.dumps(nb), encoding="utf-8")
    assert ic.process(path, URL, check=True) is True
    assert ic.process(path, "https://github.com/other/fork") is True
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["cells"][0]["id"] == ic.CELL_ID and "other/fork" in "".join(nb["cells"][0]["source"])
    assert sum(c.get("id") == ic.CELL_ID for c in nb["cells"]) == 1


def test_the_cell_does_nothing_where_the_course_is_installed(monkeypatch, capsys):
    import subprocess

    ran = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: ran.append(a))
    exec(compile(ic.cell_source(URL), "install-cell", "exec"), {})
    assert ran == [] and capsys.readouterr() == ("", "")


def test_the_cell_installs_when_engine_is_missing(monkeypatch):
    import importlib.util
    import subprocess

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "engine"
                        else real_find_spec(name, *a))
    ran = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **k: ran.append(cmd))
    exec(compile(ic.cell_source(URL), "install-cell", "exec"), {})
    assert ran and ran[0][-1] == f"rnns-from-scratch @ git+{URL}"


def test_the_cell_keeps_to_80_columns():
    url = ic.repository_url()
    assert max(len(line) for line in ic.cell_source(url).splitlines()) <= 80


def test_the_grader_build_keeps_the_cell_and_its_tag(notebooks):
    from grader.build import student_notebook
    from grader.spec import all_specs

    source = notebooks[2]
    ic.process(source, URL)
    import nbformat

    student = student_notebook(all_specs()["04_recurrent_neuron"], nbformat.read(source, as_version=4))
    first = student.cells[0]
    assert first.id == ic.CELL_ID and first.metadata["tags"] == ["remove-cell"]
    assert first.source == ic.cell_source(URL)


def test_repository_url_comes_from_the_config():
    assert ic.repository_url().startswith("https://github.com/")


def test_every_committed_notebook_carries_the_current_cell(capsys):
    """A new chapter or exercise without the cell would fail on Colab: `python -m scripts.install_cell`."""
    assert ic.main(["--check"]) == 0, capsys.readouterr().out


def test_the_check_fails_on_a_notebook_without_the_cell(notebooks, capsys):
    path = notebooks[0]
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"] = [c for c in nb["cells"] if c.get("id") != ic.CELL_ID]
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert ic.main(["--check", str(path)]) == 1
