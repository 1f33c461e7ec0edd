"""The web edition in a real browser: Debian's Chromium driven by Selenium.

The site of the shared full build is served over HTTP, as a web host would
serve it, and loaded at a phone's and a desktop's width; axe-core checks
each page against WCAG rules.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import HARD_ROLES, ROOT
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from kit.sources.content import load_content
from kit.sources.languages import known_languages
from kit.sources.school import load_school
from kit.translations import load_languages, translations_for
from kit.values import link_target

PAGES = ["index.html", "ar/index.html", "ar/cyberpesten.html", "ar/cyberpesten-nl.html",
         "ti/cyberpesten.html", "uk/cyberpesten.html", "ur/cyberpesten.html",
         "zh_Hans/cyberpesten-nl.html"]
SIZES = {"phone": (360, 780), "desktop": (1280, 900)}
AXE = ROOT / "node_modules/axe-core/axe.min.js"


@pytest.fixture(scope="module")
def site(full_build: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(full_build / "site"))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


@pytest.mark.parametrize("size", SIZES)
def test_pages_fit_the_screen_in_their_direction(site: str, browser: webdriver.Chrome,
                                                 size: str, full_build: Path) -> None:
    shots = full_build / "site-screenshots"
    shots.mkdir(exist_ok=True)
    browser.set_window_size(*SIZES[size])
    for page in PAGES:
        browser.get(site + page)
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (page, size, overflow)
        direction = browser.execute_script("return document.documentElement.dir")
        expected = "rtl" if page.split("/")[0] in {"ar", "ur"} else "ltr"
        assert direction == expected, page
        # Every other-language block says its own language and direction.
        wrong = browser.execute_script("""
            return [...document.querySelectorAll('[lang]')].filter(
                e => e.lang.startsWith('ar') && e.dir !== 'rtl').length""")
        assert wrong == 0, page
        browser.save_screenshot(str(shots / f"{page.replace('/', '-')}-{size}.png"))
    assert len(list(shots.glob(f"*-{size}.png"))) == len(PAGES)


def test_every_link_and_download_works(site: str, browser: webdriver.Chrome) -> None:
    for page in PAGES:
        browser.get(site + page)
        hrefs = browser.execute_script(
            "return [...document.querySelectorAll('a[href]')].map(a => a.href)")
        assert hrefs, page
        for href in hrefs:
            assert urlsplit(href).netloc == urlsplit(site).netloc, href  # no other host
            with urllib.request.urlopen(href) as response:
                assert response.status == 200, href
                if href.endswith(".pdf"):
                    assert response.read().startswith(b"%PDF-")


def test_nothing_is_loaded_from_another_host(site: str, browser: webdriver.Chrome) -> None:
    for page in PAGES:
        browser.get(site + page)
        resources = browser.execute_script(
            "return performance.getEntriesByType('resource').map(r => r.name)")
        assert any(r.endswith(".woff2") for r in resources), page  # the site's own fonts
        assert all(r.startswith(site) for r in resources), resources


def test_the_site_needs_no_javascript(full_build: Path) -> None:
    pages = list((full_build / "site").rglob("*.html"))
    assert len(pages) >= 48
    for page in pages:
        assert not re.search(r"<script|\son[a-z]+=", page.read_text(encoding="utf-8")), page


@pytest.mark.parametrize("size", SIZES)
def test_axe_finds_no_serious_or_critical_violation(site: str, browser: webdriver.Chrome,
                                                    size: str) -> None:
    browser.set_window_size(*SIZES[size])
    axe = AXE.read_text(encoding="utf-8")
    for page in PAGES:
        browser.get(site + page)
        browser.execute_script(axe)
        result = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document).then(r => done(r.violations.map("
            "v => [v.id, v.impact, v.nodes.length])));")
        serious = [v for v in result if v[1] in ("serious", "critical")]
        assert serious == [], (page, size, serious)


def test_the_english_words_are_marked_english(full_build: Path) -> None:
    """The chooser's link and the chooser's own words say which half is English (WCAG 3.1.2)."""
    chooser = (full_build / "site/index.html").read_text(encoding="utf-8")
    assert '<span lang="en">Choose your language</span>' in chooser
    assert '<span lang="en">Advice of the Flemish government' in chooser
    for page in ("ar/index.html", "ar/cyberpesten.html", "ar/cyberpesten-nl.html",
                 "uk/cyberpesten.html"):
        html = (full_build / "site" / page).read_text(encoding="utf-8")
        assert re.search(r'lang="nl"[^>]*>Kies je taal · <span lang="en">Choose your '
                         r'language</span></a>', html), page


# A school's pages: alone in Persian and Pashto (right to left), beside the Dutch, Dutch.
SCHOOL_PAGES = ["fa/cyberpesten.html", "fa/cyberpesten-nl.html", "ps/cyberpesten.html",
                "nl/cyberpesten.html"]


@pytest.mark.parametrize("page", SCHOOL_PAGES)
def test_a_school_s_page_links_its_contacts_from_its_navigation(
        hard_roles_build: Path, browser: webdriver.Chrome, page: str) -> None:
    """On a phone: every number a `tel:` link, every address a `mailto:` link, and "Contact"
    in the page's navigation, in the page's language, leading to them."""
    school = load_school(HARD_ROLES, [c for c in known_languages() if c != "nl"])
    people = [*school.contacts, school.clb]
    expected = ({link_target("phone", p.phone) for p in people if p.phone}
                | {link_target("email", p.email) for p in people if p.email})
    assert len(expected) == 8
    browser.set_window_size(*SIZES["phone"])
    browser.get((hard_roles_build / "site" / page).as_uri())
    hrefs = set(browser.execute_script(
        "return [...document.querySelectorAll('#contact a[href]')]"
        ".map(a => a.getAttribute('href'))"))
    assert expected <= hrefs, expected - hrefs
    code = page.split("/")[0]
    content = load_content(ROOT / "content")
    strings = translations_for(content, load_languages(content, ROOT / "locales", ["nl", code]),
                               (code,)).strings[code]
    label = content.label("web-contact")
    links = browser.find_elements(By.CSS_SELECTOR, 'nav a[href="#contact"]')
    assert [a.text for a in links] == [(strings or {}).get(label.key, label.source)]
    links[0].click()
    top = browser.execute_script(
        "return document.getElementById('contact').getBoundingClientRect().top")
    assert abs(top) < 2, top
