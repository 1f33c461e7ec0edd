"""A school's pack: every file of its folder in one zip, to send to a print shop or a colleague."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from kit.manifest import sha256_file, write_bytes_atomic

# A fixed date in every zip entry, so the same files give the same zip.
ZIP_DATE = (2026, 1, 1, 0, 0, 0)


def pack_path(slug: str) -> str:
    """Where a school's zip lands, relative to `output/`."""
    return f"schools/{slug}/{slug}.zip"


def zip_bytes(out: Path, slug: str, members: list[str]) -> bytes:
    folder = f"schools/{slug}/"
    buffer = io.BytesIO()
    # PDFs are compressed already: storing them is as small and much faster.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for member in members:
            info = zipfile.ZipInfo(f"{slug}/{member.removeprefix(folder)}", ZIP_DATE)
            info.external_attr = 0o644 << 16
            archive.writestr(info, (out / member).read_bytes())
    return buffer.getvalue()


def write_pack(out: Path, slug: str, members: list[str]) -> str:
    """Write a school's zip unless it is unchanged; returns its path relative to `output/`."""
    data = zip_bytes(out, slug, members)
    target = out / pack_path(slug)
    if target.exists() and target.stat().st_size == len(data) and target.read_bytes() == data:
        return pack_path(slug)
    write_bytes_atomic(target, data)
    return pack_path(slug)


def verify_pack(out: Path, entry: dict, manifest: list[dict]) -> list[str]:
    """A zip must open, and hold exactly its school's files as the manifest lists them."""
    path = out / entry["path"]
    if sha256_file(path) != entry["sha256"]:
        return ["checksum differs from the manifest"]
    slug = entry["school"]
    wanted = {e["path"]: e["sha256"] for e in manifest
              if e.get("school") == slug and e["product"] not in ("pack", "handoff")}
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            if bad is not None:
                return [f"damaged member {bad}"]
            names = {f"schools/{slug}/{n.removeprefix(slug + '/')}" for n in archive.namelist()}
    except zipfile.BadZipFile as exc:
        return [f"not a zip file: {exc}"]
    if names != set(wanted):
        missing = sorted(set(wanted) - names)
        extra = sorted(names - set(wanted))
        return [f"zip does not match the pack: missing {missing[:3]}, extra {extra[:3]}"]
    return []
