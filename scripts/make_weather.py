"""Copy the Seattle daily weather file that the ``vega_datasets`` package ships into the course.

Run once, by a maintainer, in a throwaway environment (vega_datasets pulls in pandas, which the course
does not need):

    python3 -m venv /tmp/m21venv && /tmp/m21venv/bin/pip install vega_datasets==0.9.0
    /tmp/m21venv/bin/python scripts/make_weather.py

``vega_datasets`` 0.9.0 (MIT licence) ships a few files for offline use in ``vega_datasets/_data/``.
Two are Seattle temperatures: ``seattle-temps.csv`` (hourly, 2010) and ``seattle-weather.csv`` (daily,
2012-2015). The hourly file is smooth climatological normals, not measurements: the same day a year
apart differs by 0.2 F RMS, and its coldest hour is 37.5 F in a year when Seattle froze. The daily file
holds observed maxima and minima (NOAA, public domain), so it is the one copied, byte for byte, to
``course/data/files/seattle_weather.csv``; this script checks it against the package's own RECORD hash.
"""

from __future__ import annotations

import base64
import hashlib
import sys
from importlib import metadata
from pathlib import Path

import vega_datasets

OUT = Path(__file__).resolve().parents[1] / "course" / "data" / "files" / "seattle_weather.csv"
NAME = "vega_datasets/_data/seattle-weather.csv"


def main() -> int:
    dist = metadata.distribution("vega_datasets")
    source = Path(vega_datasets.__file__).parent / "_data" / "seattle-weather.csv"
    data = source.read_bytes()
    recorded = next(f.hash.value for f in dist.files if str(f) == NAME)
    actual = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    if actual != recorded:
        raise SystemExit(f"{source} does not match the package's RECORD hash")
    OUT.write_bytes(data)
    print(f"copied {NAME} from vega_datasets {dist.version} to {OUT} "
          f"({len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
