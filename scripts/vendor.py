"""Refresh the pinned front-end files under static/vendor/ from the npm registry.

Each entry names a package, its exact version, the file inside the package, and where
it goes; the version is in the file name, so a new version is a new URL for browsers.
Run: python scripts/vendor.py   (needs npm; writes only static/vendor/)
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "static" / "vendor"
PINNED = [
    # (package, version, file inside the package, file name here)
    ("sortablejs", "1.15.7", "Sortable.min.js", "sortable-{version}.min.js"),
]


def fetch(package: str, version: str, inner: str, target: str) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"{package}@{version}", "--silent", "--pack-destination", tmp],
            check=True, capture_output=True,
        )
        (tarball,) = Path(tmp).glob("*.tgz")
        with tarfile.open(tarball) as tar:
            member = tar.extractfile(f"package/{inner}")
            assert member is not None, f"{inner} not in {package}@{version}"
            data = member.read()
    out = VENDOR / target.format(version=version)
    out.write_bytes(data)
    return out


def main() -> None:
    VENDOR.mkdir(parents=True, exist_ok=True)
    for package, version, inner, target in PINNED:
        path = fetch(package, version, inner, target)
        print(f"{package}@{version} -> {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
