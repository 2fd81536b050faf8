"""Re-execute notebooks in place so their stored outputs are what nbval checks and the book shows.

    python -m scripts.execute_notebooks                 # every chapter in book/
    python -m scripts.execute_notebooks book/05_*.ipynb # some

Each notebook runs in a fresh ``python3`` kernel from the repository root's ``book/`` folder, with one
BLAS thread, and keeps its widget state (the static book renders sliders from it). Timings are printed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbclient
import nbformat

from course import reproducible

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def execute(path: Path, timeout: int = 300) -> float:
    """Execute one notebook in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = KERNELSPEC
    start = time.perf_counter()
    reproducible.execute_notebook(nb, path.parent, timeout)
    seconds = time.perf_counter() - start
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    reproducible.apply()
    paths = [Path(a) for a in argv] or sorted((ROOT / "book").glob("*.ipynb"))
    failed = 0
    for path in paths:
        try:
            print(f"{execute(path):6.1f} s  {path}", flush=True)
        except nbclient.exceptions.CellExecutionError as e:
            failed += 1
            print(f"FAILED   {path}\n{str(e)[-2000:]}", file=sys.stderr, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
