"""Run every benchmark in this folder, each in its own process with one BLAS thread."""

import os
import subprocess
import sys
from pathlib import Path

from course import reproducible

here = Path(__file__).resolve().parent
env = dict(os.environ, **reproducible.ENV)
failed = []
for script in sorted(p for p in here.glob("*.py") if p.name != "run.py" and not p.name.startswith("_")):
    print(f"== {script.name}", flush=True)
    if subprocess.run([sys.executable, str(script)], env=env).returncode:
        failed.append(script.name)
sys.exit(f"failed: {', '.join(failed)}" if failed else 0)
