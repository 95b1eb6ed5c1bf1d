"""The package as users install it: one version, stated in pyproject.toml; py.typed shipped."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import mathnn

ROOT = Path(__file__).resolve().parent.parent


def pyproject_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"$', text, flags=re.MULTILINE)
    assert match, "pyproject.toml states no version"
    return match.group(1)


def test_version_is_the_one_of_pyproject() -> None:
    assert mathnn.__version__ == importlib.metadata.version("mathnn") == pyproject_version()


def test_version_is_stated_once() -> None:
    # every other file reads it from the package metadata
    stated = [
        path.relative_to(ROOT).as_posix()
        for tree in ("mathnn", "docs", "scripts", "bench")
        for path in (ROOT / tree).rglob("*.py")
        if re.search(
            r"""^\s*(?:(?:__version__|release|version)\s*=\s*)+["']""", path.read_text(), re.M
        )
    ]
    assert stated == [], stated


def test_wheel_ships_py_typed_and_the_version(tmp_path: Path) -> None:
    # build from a clean copy: a build/ folder left in the tree would leak stale files
    source = tmp_path / "source"
    shutil.copytree(
        ROOT / "mathnn", source / "mathnn", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(tmp_path), str(source)],
        check=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("mathnn-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        header = archive.read(metadata).decode()
    assert "mathnn/py.typed" in names
    assert f"\nVersion: {pyproject_version()}\n" in header
