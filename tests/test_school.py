"""School profiles: the example loads, every bad profile gives its one-line error."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_build

from kit.errors import UserError, UserErrors
from kit.sources.school import load_school

CASES = yaml.safe_load((ROOT / "tests/corpus/schools.yaml").read_text(encoding="utf-8"))
LONG = "a" * 4000
DEEP = "<g>" * 3000 + "</g>" * 3000
KNOWN = ["fr", "en", "de", "ar", "tr", "pl", "ro", "bg", "ru", "uk", "fa", "ti"]


def profile_copy(folder: Path) -> Path:
    shutil.copy(ROOT / "schools/example-logo.svg", folder)
    shutil.copy(ROOT / "schools/example.yaml", folder)
    return folder / "example.yaml"


def test_example_profile_loads() -> None:
    school = load_school(ROOT / "schools/example.yaml", KNOWN)
    assert school.slug == "example"
    assert school.languages == ("ar", "tr", "uk", "ti", "fr", "pl")
    assert school.poster_languages == ("ar", "tr", "uk", "ti", "fr")
    assert [c.role for c in school.contacts] == ["zorgcoordinator", "directie"]
    assert school.contacts[0].phone == "09 123 45 67"
    assert school.logo is not None and school.logo.media_type == "image/svg+xml"
    assert school.logo.uri.startswith("data:image/svg+xml;base64,")


def test_corpus_covers_every_kind_of_mistake() -> None:
    assert len(CASES) >= 20
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_profile_gives_its_exact_error(case: dict, tmp_path: Path) -> None:
    profile = profile_copy(tmp_path)
    logo = tmp_path / "example-logo.svg"
    if "replace" in case:
        text = profile.read_text(encoding="utf-8")
        assert case["replace"]["old"] in text, f"case out of date: {case['replace']['old']!r}"
        new = case["replace"]["new"].replace("{long}", LONG)
        profile.write_text(text.replace(case["replace"]["old"], new, 1), encoding="utf-8")
    if "logo" in case:
        target = tmp_path / case["logo"].get("file", logo.name)
        if "hex" in case["logo"]:
            target.write_bytes(bytes.fromhex(case["logo"]["hex"]))
        else:
            target.write_text(case["logo"]["text"].replace("{deep}", DEEP), encoding="utf-8")
    if "logo_size" in case:
        data = logo.read_bytes()
        logo.write_bytes(data + b" " * (case["logo_size"] - len(data)))
    if case.get("delete_logo"):
        logo.unlink()
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--school", "example.yaml",
         "--output", "output"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == case["error"]
    assert not (tmp_path / "output").exists()


def test_every_mistake_of_a_profile_is_told_at_once(tmp_path: Path) -> None:
    profile = profile_copy(tmp_path)
    text = profile.read_text(encoding="utf-8")
    for old, new in (("phone: 09 123 45 67", "phone: bel ons"), ("website: www.bs-delinde.be",
                     "website: bs delinde"), ("languages: [ar, tr, uk, ti, fr, pl]",
                                             "languages: [ar, xx]")):
        text = text.replace(old, new)
    profile.write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--school", "example.yaml",
                             "--list"], cwd=tmp_path, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: example.yaml:15: `website` `bs delinde` is not a web address (e.g. "
        "www.school.be)",
        "error: example.yaml:22: the kit has no translation `xx`; choose from: fr, en, de, ar, "
        "tr, pl, ro, bg, ru, uk, fa, ti, prs, ps, so, es, pt, it, sq, ka, ur, zh_Hans, am, el",
        "error: example.yaml:38: `phone` `bel ons` is not a phone number (e.g. 09 123 45 67 "
        "or +32 9 123 45 67)",
        "3 problems in example.yaml; nothing was built"]


def test_every_field_of_a_contact_is_checked(tmp_path: Path) -> None:
    profile = profile_copy(tmp_path)
    text = profile.read_text(encoding="utf-8")
    for old, new in (("role: directie", "role: conciërge"), ("name: Karim El Amrani",
                     'name: ""'), ("phone: 09 123 45 60", "phone: bel ons")):
        text = text.replace(old, new)
    profile.write_text(text, encoding="utf-8")
    with pytest.raises(UserErrors) as caught:
        load_school(profile, KNOWN)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (43, "unknown role `conciërge` (allowed: directeur, directie, leerkracht, "
             "leerlingenbegeleider, secretariaat, zorgcoördinator)"),
        (44, "a contact's `name` is empty"),
        (45, "`phone` `bel ons` is not a phone number (e.g. 09 123 45 67 or +32 9 123 45 67)")]


def test_empty_optional_values_are_left_out(tmp_path: Path) -> None:
    profile = profile_copy(tmp_path)
    text = profile.read_text(encoding="utf-8")
    for old, new in (("website: www.bs-delinde.be", 'website: ""'),
                     ("email: zorg@bs-delinde.be", 'email: ""'),
                     ("logo: example-logo.svg", "logo:")):
        assert old in text
        text = text.replace(old, new)
    profile.write_text(text.replace("  website: www.clb-gent.example", '  website: ""'),
                       encoding="utf-8")
    school = load_school(profile, KNOWN)
    assert (school.website, school.contacts[0].email, school.logo) == (None, None, None)
    assert school.clb.website is None


def test_png_logo_is_accepted(tmp_path: Path) -> None:
    from PIL import Image

    profile = profile_copy(tmp_path)
    Image.new("RGB", (40, 20), "green").save(tmp_path / "logo.png")
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "logo: example-logo.svg", "logo: logo.png"), encoding="utf-8")
    school = load_school(profile, KNOWN)
    assert school.logo is not None and school.logo.media_type == "image/png"


def test_an_svg_drawing_with_its_own_references_is_accepted() -> None:
    from kit.sources.logo import check_svg

    check_svg(b'<?xml version="1.0" encoding="UTF-8"?>'
              b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
              b"<title>De Linde</title><defs><linearGradient id=\"g\"/>"
              b'<rect id="leaf" width="4" height="4"/></defs>'
              b'<style>rect { fill: url(#g) }</style>'
              b'<use xlink:href="#leaf"/><use href="#leaf" x="5"/>'
              b'<circle r="3" fill="url( \'#g\' )"/></svg>')


def test_jpeg_logo_is_accepted_and_kept_as_png(tmp_path: Path) -> None:
    from PIL import Image

    profile = profile_copy(tmp_path)
    Image.new("RGB", (40, 20), "green").save(tmp_path / "logo.jpg", quality=90)
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "logo: example-logo.svg", "logo: logo.jpg"), encoding="utf-8")
    school = load_school(profile, KNOWN)
    assert school.logo is not None and school.logo.media_type == "image/png"
    assert school.logo.data.startswith(b"\x89PNG")


def test_a_logo_linked_from_outside_the_profile_s_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "schools"
    folder.mkdir()
    profile = profile_copy(folder)
    (folder / "link.svg").symlink_to(ROOT / "schools/example-logo.svg")
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "logo: example-logo.svg", "logo: link.svg"), encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_school(profile, KNOWN)
    assert caught.value.message == ("the logo `link.svg` must be a file in the profile's "
                                    "folder or a folder below it")


def test_two_profiles_with_one_slug_are_refused(tmp_path: Path) -> None:
    first = profile_copy(tmp_path)
    second = tmp_path / "copy.yaml"
    shutil.copy(first, second)
    result = run_build("--school", str(first), "--school", str(second), "--list")
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "copy.yaml: slug `example` is used by example.yaml too; every school needs its own")


def test_new_school_writes_a_profile_to_fill_in(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
        ".venv", "output", ".git", "__pycache__", ".pytest_cache", ".ruff_cache"))
    result = subprocess.run([sys.executable, "build.py", "new-school", "de-linde"],
                            cwd=project, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    profile = project / "schools/de-linde.yaml"
    assert "slug: de-linde" in profile.read_text(encoding="utf-8")
    result = subprocess.run([sys.executable, "build.py", "--school", "schools/de-linde.yaml",
                             "--list"], cwd=project, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    # Every value still to fill in, at once.
    assert result.stderr.strip().splitlines() == [
        "error: schools/de-linde.yaml:6: `name` is empty",
        "error: schools/de-linde.yaml:8: `address` is empty",
        "error: schools/de-linde.yaml:14: a contact needs a `phone` or an `email`",
        "error: schools/de-linde.yaml:15: a contact's `name` is empty",
        "error: schools/de-linde.yaml:22: the CLB's `name` is empty",
        "error: schools/de-linde.yaml:22: `clb` needs a `phone` or an `email`",
        "6 problems in schools/de-linde.yaml; nothing was built"]
    again = subprocess.run([sys.executable, "build.py", "new-school", "de-linde"],
                           cwd=project, capture_output=True, text=True, check=False)
    assert again.returncode == 2 and "exists already" in again.stderr
