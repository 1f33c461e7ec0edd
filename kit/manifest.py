"""`output/manifest.json` and the build state kept beside the outputs."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kit.plan import Output

if TYPE_CHECKING:
    from kit.translations import LanguageState

MANIFEST = "manifest.json"
STATE = ".build-state.json"


def read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def write_json_atomic(path: Path, data: Any) -> None:
    """Write beside the target, then rename: readers never see half a file."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, then rename; a failed write (a full disk) leaves no `.tmp`."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def state_shard(path: str) -> str:
    """Which build-state file records an output: a school's own, or the kit-wide one.

    Each school's records live in its own folder, so a batch that finishes a
    school writes that school's few records, not the whole network's.
    """
    parts = path.split("/")
    return f"schools/{parts[1]}/{STATE}" if parts[0] == "schools" and len(parts) > 2 else STATE


def read_state(out: Path) -> dict:
    """The record of every file the kit wrote into `out`, from all state files."""
    state: dict = {}
    for shard in [out / STATE, *sorted(out.glob(f"schools/*/{STATE}"))]:
        part = read_json(shard, {})
        if isinstance(part, dict):
            state.update(part)
    return state


def write_state(out: Path, state: dict, shards: set[str] | None = None) -> None:
    """Write the state files (only those named in `shards`, when given)."""
    grouped: dict[str, dict] = {STATE: {}}
    for path, info in state.items():
        grouped.setdefault(state_shard(path), {})[path] = info
    for shard, part in grouped.items():
        if shards is None or shard in shards:
            target = out / shard
            target.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(target, part)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fileobj:
        for chunk in iter(lambda: fileobj.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_entry(output: Output, info: dict, states: dict[str, LanguageState]) -> dict:
    """One flat record of `manifest.json`."""
    review = None
    reviews = [states[c].catalog.review for c in output.languages if states[c].catalog]
    if reviews:
        # A multilingual poster is reviewed only when every translation on it is.
        draft = any(r.status != "reviewed" for r in reviews)
        dates = [r.date for r in reviews if r.date]
        review = {"status": "draft" if draft else "reviewed",
                  "reviewer": ", ".join(r.reviewer for r in reviews if r.reviewer),
                  "date": max(dates).isoformat() if dates and not draft else None}
    return {
        "path": output.path,
        "leaflet": output.leaflet,
        "product": output.product,
        "edition": output.edition,
        "languages": list(output.languages),
        "paper": output.paper,
        "sheet": output.sheet_paper,
        "imposed": output.imposed,
        "pages": info["pages"],
        "sha256": info["sha256"],
        # A poster's text scale in percent: the largest that fits one page.
        "text_scale": info.get("fit", 100) if output.product == "poster" else None,
        "stale": False,
        "review": review,
        "school": output.school,
        # Messages printed in Dutch: a language built below 100 % (`--threshold`).
        "untranslated": sum(states[c].untranslated for c in output.languages),
    }


def pack_entry(out: Path, path: str, slug: str, languages: list[str]) -> dict:
    """The manifest record of a school's zip."""
    return {
        "path": path, "leaflet": None, "product": "pack", "edition": None, "languages": languages,
        "paper": None, "sheet": None, "imposed": False, "pages": None,
        "sha256": sha256_file(out / path), "text_scale": None, "stale": False,
        "review": None, "school": slug,
    }
