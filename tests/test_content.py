"""The content loader: the real content loads; every schema mistake names file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_build

from kit.errors import UserError
from kit.sources.content import load_content, load_document


def test_real_content_loads_with_stable_unique_keys() -> None:
    content = load_content(ROOT / "content")
    keys = [t.key for t in content.texts()]
    assert len(keys) == len(set(keys))
    assert "voorkomen.tips.wachtwoorden" in keys
    assert "aanpakken.slachtoffer.punten.school.voorzichtig" in keys
    rules = content.document.rules
    assert [i.id for i in rules.blocks[1].items] == ["prive", "gezicht"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
document:
  id: doc
  title: Titel
  publisher: Uitgever
  source: example.org
  edition: 2026-01-01
sections:
  - id: een
    heading: Kop
    blocks:
      - id: p
        paragraph: Tekst.
"""


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("      - id: p\n", "      - id: p\n        colour: red\n", 12, "unknown key `colour`"),
        ("  source: example.org\n", "", 2, "missing the field `source`"),
        ("  edition: 2026-01-01", "  edition: soon", 6, "must be a date"),
        ("        paragraph: Tekst.", "        paragraph: [a, b]", 12, "must be text"),
        ("    heading: Kop\n", "    heading: Kop\n    blocks: []\n", 11, "duplicate key `blocks`"),
        ("  title: Titel", "  title: [Titel", 4, "YAML syntax error"),
        ("  - id: een", "  - id: Een!", 8, "lowercase letters"),
    ],
)
def test_schema_errors_name_file_and_line(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(UserError) as caught:
        load_document(path)
    assert caught.value.line == line
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{path}:{line}: ") or f":{line}: " in str(caught.value)


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    text = GOOD + "      - id: p\n        paragraph: Nog eens.\n"
    with pytest.raises(UserError, match="duplicate id `p`"):
        load_document(write(tmp_path, text))


def test_broken_content_gives_one_line_and_exit_code_2(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    path = content / "leaflets" / "cyberpesten.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - id: voorkomen\n",
                    "  - id: voorkomen\n    kleur: rood\n"), encoding="utf-8")
    result = run_build("--content", str(content), "--output", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = path.read_text(encoding="utf-8").splitlines().index("    kleur: rood") + 1
    assert f"cyberpesten.yaml:{line}: unknown key `kleur`" in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "manifest.json").exists()
