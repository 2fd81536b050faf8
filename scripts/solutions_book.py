"""Build the book with the exercise solutions in place of the student notebooks, for instructors.

    python -m scripts.solutions_book        # or: make solutions-book

The published book never shows solutions: `_config.yml` excludes `grader/solutions` and `_toc.yml`
lists the student notebooks. This command is the one setting that says otherwise. It writes a copy of
both files, with the solutions added as a last part, under `_build/solutions-config/` and builds from
them, warnings as errors, into `_build/solutions/_build/html`: a separate site, never published.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "solutions"


def with_solutions(toc: dict) -> dict:
    """The TOC plus a last part listing `grader/solutions/NN_*` for every exercise page it has."""
    pages = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if str(node.get("file", "")).startswith("exercises/"):
                pages.append(f"grader/solutions/{node['file'].removeprefix('exercises/')}")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    part = {"caption": "Solutions (for instructors)", "chapters": [{"file": p} for p in pages]}
    return {**toc, "parts": [*toc["parts"], part]}


def main() -> int:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["exclude_patterns"] = [p for p in config["exclude_patterns"] if p != "grader/solutions"]
    config["title"] = f"{config['title']} (with solutions, for instructors)"
    toc = with_solutions(yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8")))
    folder = ROOT / "_build" / "solutions-config"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (folder / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    jb = Path(sys.executable).with_name("jupyter-book")
    done = subprocess.run([str(jb), "build", str(ROOT), "--config", str(folder / "_config.yml"),
                           "--toc", str(folder / "_toc.yml"), "--path-output", str(OUT), "-W", "-n", "--keep-going"])
    if done.returncode == 0:
        print(f"The book with solutions is at file://{OUT / '_build' / 'html' / 'index.html'}")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
