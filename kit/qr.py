"""QR codes that lead a parent from the paper to the web edition in their language."""

from __future__ import annotations

import base64
import io

import segno


def qr_data_uri(url: str) -> str:
    """The code as an SVG data URI: vector, black on white, with its quiet zone.

    Four modules of quiet zone are part of the image, so however the layout
    places it, a phone's camera finds the edges. Black is `#000`, which the
    print edition turns into black ink only.
    """
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", border=4, xmldecl=False, dark="#000", light="#fff",
              scale=1, svgclass=None, lineclass=None)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def short_address(url: str) -> str:
    """What is printed beside the code: the address without its scheme."""
    return url.split("://", 1)[-1].rstrip("/")


def leaflet_page(leaflet: str, bilingual: bool = False) -> str:
    """A leaflet's page in its language's folder of the web edition; beside the Dutch with
    `bilingual`."""
    return f"{leaflet}-nl.html" if bilingual else f"{leaflet}.html"


def page_url(site_url: str, code: str | None, leaflet: str | None) -> str:
    """A leaflet's web page in one language; without a leaflet, the language's list of
    leaflets; without a language, the language chooser."""
    base = site_url.rstrip("/") + "/"
    if code is None:
        return base
    return f"{base}{code}/" if leaflet is None else f"{base}{code}/{leaflet_page(leaflet)}"
