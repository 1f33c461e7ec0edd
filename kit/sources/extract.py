"""Babel extractor for the kit's YAML content.

Registered in `babel.cfg`, so `pybabel extract -F babel.cfg` and
`python build.py extract` produce the same `locales/messages.pot`.
Each text becomes a `pgettext` message whose context is its stable id path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from kit.sources.content import texts_of_file


def extract_content(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    name = getattr(fileobj, "name", "content.yaml")
    text = fileobj.read().decode(options.get("encoding", "utf-8"))
    for item in texts_of_file(Path(name), text):
        yield item.line, "pgettext", (item.key, item.source), [item.where]
