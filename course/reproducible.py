"""The environment under which the book's stored outputs reproduce to the last printed digit.

Set before numpy is imported (it is read when OpenBLAS loads): one BLAS thread (small matrices gain
nothing from two, and a sum split across threads changes its last bits), and one fixed OpenBLAS kernel
family. OpenBLAS picks its kernels by CPU, and different kernels round differently: measured here, the
same notebook printed an IRNN loss of 0.0048 under the SkylakeX kernels and 0.0039 under the Zen ones.
Haswell's (AVX2) run on every x86-64 CPU of the last decade, Intel and AMD alike.

The Makefile exports the same variables (``tests/test_layout.py`` checks that the two agree). This
module imports nothing, so it can run before numpy does.
"""

from __future__ import annotations

import os
from typing import Any

ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_CORETYPE": "Haswell",
}


def apply(environ: dict[str, str] | os._Environ = os.environ) -> None:
    """Set each variable of ``ENV`` in ``environ`` (the process's own by default) unless it is set."""
    for key, value in ENV.items():
        environ.setdefault(key, value)


def execute_notebook(nb: Any, folder: Any, timeout: int = 300) -> Any:
    """Run every cell of ``nb`` (an nbformat notebook) in a fresh ``python3`` kernel started in ``folder``.

    The outputs and the widget state are stored in ``nb`` (the static book renders sliders from that
    state), the per-cell timing metadata is dropped (it would change on every run). Cells tagged
    ``raises-exception`` may raise; any other error raises ``nbclient.exceptions.CellExecutionError``.
    """
    import nbclient

    apply()
    # coalesce_streams: print() writes its text and its newline separately, and the kernel flushes on
    # a timer, so under load one print could be stored as two output boxes
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=timeout, record_timing=False,
                                     coalesce_streams=True, resources={"metadata": {"path": str(folder)}})
    client.execute()
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    return nb
