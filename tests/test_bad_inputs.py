"""The corpus of bad inputs: each gives exactly its one-line error and exit code 2.

Also property-based tests: arbitrary input never crashes the content loader
or the markup check; it is accepted or rejected with a message.
"""

from __future__ import annotations

import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.errors import UserError
from kit.sources.content import _ContentReader, compose_text
from kit.sources.markup import ALLOWED_TAGS, compare, to_html

CASES = yaml.safe_load((ROOT / "tests/corpus/cases.yaml").read_text(encoding="utf-8"))
LONG = "a" * 6000
DEEP = "[" * 5000 + "]" * 5000


def apply(case: dict, project: Path) -> None:
    if "replace" in case:
        edit = case["replace"]
        path = project / edit["file"]
        text = path.read_text(encoding="utf-8")
        assert edit["old"] in text, f"corpus case out of date: {edit['old']!r} not found"
        path.write_text(text.replace(edit["old"], edit["new"].replace("{long}", LONG), 1),
                        encoding="utf-8")
    if "write" in case:
        path = project / case["write"]["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(case["write"]["text"].replace("{deep}", DEEP), encoding="utf-8")
    if "bytes" in case:
        (project / case["bytes"]["file"]).write_bytes(bytes.fromhex(case["bytes"]["hex"]))
    if "delete" in case:
        shutil.rmtree(project / case["delete"])


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_gives_its_exact_error(case: dict, tmp_path: Path) -> None:
    for name in ("content", "locales"):
        shutil.copytree(ROOT / name, tmp_path / name)
    apply(case, tmp_path)
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *case.get("args", ["--list"]),
         "--content", "content", "--locales", "locales", "--output", "output"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert result.returncode == case.get("exit", 2), result.stdout + result.stderr
    assert result.stderr.strip() == case["error"]
    assert not (tmp_path / "output").exists()


# --- properties ----------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30),
                    st.dates())
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["id", "heading", "blocks", "sections", "list",
                                         "text", "paragraph", "document", "title",
                                         "labels", "edition", "rules", "x"]),
                        children, max_size=5),
    ),
    max_leaves=25,
)


def load_any(text: str) -> None:
    path = Path("content/fuzz.yaml")
    try:
        node = compose_text(text, path)
        _ContentReader(path).document(node)
    except UserError as exc:
        assert exc.message and "\n" not in str(exc)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(trees)
def test_content_loader_never_crashes_on_any_structure(tree: object) -> None:
    load_any(yaml.safe_dump(tree, allow_unicode=True))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable + "é漢:-[]{}&*!|>'\"%@`", max_size=200))
def test_content_loader_never_crashes_on_any_text(text: str) -> None:
    load_any(text)


markup_text = st.lists(
    st.sampled_from([*"ab <>/{}=\"'", "<em>", "</em>", "<strong>", "</strong>",
                     "<img src=x>", "{date}", "&amp;"]),
    max_size=20,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(markup_text, markup_text)
def test_markup_check_never_crashes_and_never_lets_tags_through(a: str, b: str) -> None:
    verdict = compare(a, b)
    assert verdict is None or isinstance(verdict, str)
    html = str(to_html(b))
    for tag in ALLOWED_TAGS:
        html = html.replace(f"<{tag}>", "").replace(f"</{tag}>", "")
    assert "<" not in html and ">" not in html
