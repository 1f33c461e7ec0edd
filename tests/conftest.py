"""Shared fixtures: the project's paths and one full build for end-to-end tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# CI must not fail on a new random example that a developer never saw: there
# the property tests run a fixed set of examples; locally they explore.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def run_build(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args],
        cwd=cwd, capture_output=True, text=True, check=False,
    )


@pytest.fixture(scope="session")
def full_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every language, product and edition, built once in strict mode."""
    out = tmp_path_factory.mktemp("output")
    result = run_build("--strict", "--output", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def manifest(full_build: Path) -> list[dict]:
    return json.loads((full_build / "manifest.json").read_text(encoding="utf-8"))


HARD_ROLES = ROOT / "tests/corpus/hard-school-roles.yaml"


@pytest.fixture(scope="session")
def hard_roles_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus's second hard school (every other role, the secretariat first): its screen
    brochures and posters beside the three languages that write their own digits, its site."""
    out = tmp_path_factory.mktemp("hard-roles")
    result = run_build("--strict", "--school", str(HARD_ROLES), "--product", "brochure",
                       "--product", "poster", "--edition", "screen", "--lang", "fa", "--lang",
                       "prs", "--lang", "ps", "--output", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "schools/hard-school-roles"
