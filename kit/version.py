"""The kit's version, as installed (`pip install -e .` from pyproject.toml)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def kit_version() -> str:
    try:
        return version("cyberbullying-print-kit")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"
