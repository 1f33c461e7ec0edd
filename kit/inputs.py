"""What each job depends on, hashed, so unchanged outputs are not rendered again."""

from __future__ import annotations

import dataclasses
import hashlib
from functools import cache
from pathlib import Path

from kit.plan import Job
from kit.render import ROOT, TEMPLATES_DIR, stylesheet_paths
from kit.sources.catalogs import KIT_DOMAIN, catalog_path
from kit.sources.content import LEAFLETS_DIR
from kit.sources.languages import LANGUAGES_FILE, SOURCE_LANGUAGE, entry_key
from kit.sources.school import School

CODE_FILES = ("build.py", "requirements.txt", "kit/**/*.py")


@cache
def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(pattern: str) -> list[Path]:
    return sorted(ROOT.glob(pattern))


def shared_inputs(content: Path) -> dict[str, str]:
    """Inputs of every job: content, fonts, colour profiles, the code and its pinned versions."""
    paths = [p for pattern in (*CODE_FILES, "fonts/*", "profiles/*.icc") for p in _files(pattern)]
    inputs = {str(p.relative_to(ROOT)): file_hash(p) for p in paths if p.is_file()}
    for p in sorted(content.glob("*.yaml")):
        # A job depends on the entries of its own languages only (job_inputs): a
        # language added to the file rebuilds nothing that does not print it.
        if p.name != LANGUAGES_FILE.name:
            inputs[f"content:{p.name}"] = hashlib.sha256(p.read_bytes()).hexdigest()
    for p in sorted((content / LEAFLETS_DIR).glob("*.yaml")):
        inputs[f"{LEAFLET}{p.stem}"] = hashlib.sha256(p.read_bytes()).hexdigest()
    return inputs


# The key prefix of a leaflet's file among the shared inputs: a job depends on
# its own leaflet only, so an edit to one leaflet rebuilds no other's files.
LEAFLET = "leaflet:"


def job_inputs(
    job: Job, shared: dict[str, str], locales: Path, settings: str, school: School | None = None
) -> str:
    """One hash of everything that can change the files a job writes.

    A school's job depends on its own profile and logo only, so editing one
    profile rebuilds that school and no other.
    """
    # A pack's printing guide names every leaflet's title; any other job reads its own.
    inputs = {key: value for key, value in shared.items()
              if not key.startswith(LEAFLET) or job.leaflet in (None, key[len(LEAFLET):])}
    if school is not None:
        # The order sheet's quantities are printed on no page: changing them
        # rewrites the print shop's hand-off only (kit/handoff.py).
        printed_school = dataclasses.replace(school, logo=None, file=Path(), quantities=())
        if job.product == "guide":
            # The printing guide shows the school's name, logo, languages and
            # leaflets, not its contacts: a new phone number leaves it as it is.
            printed_school = dataclasses.replace(printed_school, address="", website=None,
                                                 site_url=None, contacts=(), clb=None)
        inputs["school"] = repr(printed_school)
        inputs["logo"] = school.logo.sha256 if school.logo else ""
    for path in [TEMPLATES_DIR / job.template, TEMPLATES_DIR / "_macros.html",
                 TEMPLATES_DIR / "_page.html",
                 *(p for bleed in job.layouts for p in stylesheet_paths(job, bleed))]:
        inputs[str(path.relative_to(ROOT))] = file_hash(path)
    # A school's printing guide names all the school's languages, in Dutch.
    printed = {SOURCE_LANGUAGE, *job.languages, *(school.languages if school else ())}
    for code in sorted(printed):
        inputs[f"language:{code}"] = entry_key(code)
    domains = [KIT_DOMAIN, job.leaflet] if job.leaflet else [KIT_DOMAIN]
    for code in job.languages:
        for domain in domains:
            po = catalog_path(locales, code, domain)
            if po.exists():
                inputs[f"catalog:{code}:{domain}"] = hashlib.sha256(po.read_bytes()).hexdigest()
    inputs["job"] = f"{job.name}|{[o.path for o in job.outputs]}|{settings}"
    digest = hashlib.sha256()
    for key in sorted(inputs):
        digest.update(f"{key}\0{inputs[key]}\n".encode())
    return digest.hexdigest()

