"""Refresh the pinned third-party files from the npm registry.

Each entry names a package, its exact version, the file inside the package, and where
it goes; the version is in the file name, so a new version is a new URL for browsers.
What pages load lives in static/vendor/ (shipped in the wheel); what only the browser
tests load (axe-core) lives in tests/e2e/vendor/, so it never reaches a server.
Run: python scripts/vendor.py   (needs npm; writes only those two folders)
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static" / "vendor"
TESTS = ROOT / "tests" / "e2e" / "vendor"
PINNED = [
    # (package, version, file inside the package, folder, file name there)
    ("sortablejs", "1.15.7", "Sortable.min.js", STATIC, "sortable-{version}.min.js"),
    ("axe-core", "4.14.1", "axe.min.js", TESTS, "axe-core-{version}.min.js"),
]


def fetch(package: str, version: str, inner: str, folder: Path, target: str) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"{package}@{version}", "--silent", "--pack-destination", tmp],
            check=True,
            capture_output=True,
        )
        (tarball,) = Path(tmp).glob("*.tgz")
        with tarfile.open(tarball) as tar:
            member = tar.extractfile(f"package/{inner}")
            assert member is not None, f"{inner} not in {package}@{version}"
            data = member.read()
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / target.format(version=version)
    out.write_bytes(data)
    return out


def main() -> None:
    for package, version, inner, folder, target in PINNED:
        path = fetch(package, version, inner, folder, target)
        print(f"{package}@{version} -> {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
