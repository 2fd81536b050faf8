"""Put (or refresh) the "install the course if it is missing" cell at the top of every notebook.

    python -m scripts.install_cell            # book/*.ipynb, exercises/*.ipynb, grader/solutions/*.ipynb
    python -m scripts.install_cell FILE...    # only these
    python -m scripts.install_cell --check    # change nothing; exit 1 if a notebook lacks the current cell

Colab opens a notebook from GitHub with nothing of the repository installed, so its ``import engine``
fails. The cell below installs the course from the repository named in ``_config.yml`` when (and only
when) ``engine`` cannot be found: locally and on Binder, where ``requirements.txt`` installed it, it
does nothing and prints nothing (so nbval sees no output). It is tagged ``remove-cell``: the book does not
show it. ``grader/build.py`` copies it, tags included, from ``grader/solutions/`` into ``exercises/``.

Idempotent: the cell is found by its id (``install-course``); running again changes no byte.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CELL_ID = "install-course"
TAGS = ["remove-cell"]
GLOBS = ("book/*.ipynb", "exercises/*.ipynb", "grader/solutions/*.ipynb")


def repository_url(config: Path = ROOT / "_config.yml") -> str:
    """The ``repository.url`` of ``_config.yml`` (a fork changes it there, then reruns this script)."""
    import yaml

    url = yaml.safe_load(config.read_text(encoding="utf-8"))["repository"]["url"]
    if not str(url).startswith("https://"):
        raise ValueError(f"install_cell: repository.url in {config} must be an https URL, got {url!r}")
    return str(url).rstrip("/")


def cell_source(url: str) -> str:
    """The cell's code: pip-install the course from ``url`` if ``engine`` cannot be found."""
    return (
        "# Colab (or any Python without the course): install it. Elsewhere: nothing.\n"
        "import importlib.util\n"
        "\n"
        'if importlib.util.find_spec("engine") is None:\n'
        "    import subprocess\n"
        "    import sys\n"
        "\n"
        f'    url = "git+{url}"\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",\n'
        '                    f"rnns-from-scratch @ {url}"], check=True)'
    )


def install_cell(url: str) -> dict:
    """The whole cell as notebook JSON (nbformat 4.5: with an id)."""
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": CELL_ID,
        "metadata": {"tags": list(TAGS)},
        "outputs": [],
        "source": cell_source(url).splitlines(keepends=True),
    }


def updated(nb: dict, url: str) -> dict:
    """``nb`` with the install cell first (added, moved or refreshed); other cells untouched."""
    cell = install_cell(url)
    cells = [c for c in nb["cells"] if c.get("id") != CELL_ID]
    old = next((c for c in nb["cells"] if c.get("id") == CELL_ID), None)
    if old is not None and "".join(old.get("source", [])) == "".join(cell["source"]):
        cell["execution_count"] = old.get("execution_count")  # a re-executed notebook keeps its count
        cell["outputs"] = old.get("outputs", [])
        extra = [t for t in old.get("metadata", {}).get("tags", []) if t not in TAGS]
        cell["metadata"] = {**old.get("metadata", {}), "tags": TAGS + extra}
    return {**nb, "cells": [cell, *cells]}


def dumps(nb: dict) -> str:
    """The repository's notebook format: indent 1, UTF-8 as is, a final newline."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def process(path: Path, url: str, *, check: bool = False) -> bool:
    """Add or refresh the cell in ``path``; returns whether the file changed (or, with ``check``, would)."""
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    if nb.get("nbformat", 0) < 4 or (nb.get("nbformat") == 4 and nb.get("nbformat_minor", 0) < 5):
        raise ValueError(f"install_cell: {path} is nbformat {nb.get('nbformat')}.{nb.get('nbformat_minor')}; "
                         "cell ids need 4.5 or newer")
    new = dumps(updated(nb, url))
    if new == text:
        return False
    if not check:
        path.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook would change")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(p for g in GLOBS for p in ROOT.glob(g))
    url = repository_url()
    changed = [p for p in paths if process(p, url, check=args.check)]
    for p in changed:
        print(f"{'would update' if args.check else 'updated'} {p}")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
