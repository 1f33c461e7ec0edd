"""School profiles (`schools/<slug>.yaml`): a school's name, logo, contacts and languages.

A profile is the school's own words: names, numbers and addresses are
printed exactly as given and never translated. Only the labels around them
(roles, "phone", the CLB explanation) are kit text from the catalogs.
Every mistake is reported with the profile's file and line.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import yaml

from kit.errors import UserError, UserErrors, display_path
from kit.sources.content import ID_PATTERN, MAX_URL_LENGTH, _Reader, compose
from kit.sources.fonts import is_arabic_letter, missing_glyphs
from kit.sources.hours import Hours, HoursError, hours_from_lines, parse_hours_text
from kit.sources.logo import Refused, check_bitmap, check_svg

# The roles a contact can have; each is a label translated through the
# catalogs (`kit.role-<id>`). Spelled as a school writes them, accents or not.
ROLES: dict[str, str] = {
    "zorgcoördinator": "zorgcoordinator",
    "zorgcoordinator": "zorgcoordinator",
    "leerlingenbegeleider": "leerlingenbegeleider",
    "directie": "directie",
    "directeur": "directie",
    "secretariaat": "secretariaat",
    "leerkracht": "leerkracht",
}
MAX_LOGO_BYTES = 1_000_000
MAX_LOGO_PIXELS = 4000  # per side; a print logo at 300 dpi needs far less
# A logo's file type, by its name; a JPEG is stored as PNG (kit.sources.logo).
LOGO_KINDS = {".svg": "SVG", ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
MAX_SLUG_LENGTH = 60
# What the kit writes in output/schools/ beside the packs, besides files with
# a dot in their names (index.html, report.csv, style.css): the index's font
# folder. A school with one of these slugs would have its pack replaced.
RESERVED_SLUGS = frozenset({"fonts"})
MAX_CONTACTS = 4
# Lengths of what a school writes, so that it fits where it is printed:
# a name in two lines of the cover and in the poster's foot, an address in
# two lines of the contact page, an address on the web or an e-mail address
# on one line (and a `site_url` in a QR code a phone can read).
MAX_NAME_LENGTH = 80
MAX_ADDRESS_LENGTH = 120
MAX_WEB_LENGTH = 100
MAX_PHONE_LENGTH = 30
# The multilingual poster: Dutch and at most this many translations, so that
# every language stays readable from a distance (see the poster's size floor).
MAX_POSTER_LANGUAGES = 5
PROFILE_KEYS = {"name", "slug", "address", "languages", "contacts", "clb"}
OPTIONAL_KEYS = {"website", "site_url", "logo", "poster_languages", "quantities", "leaflets"}
# The most copies of one brochure the print-shop order sheet proposes: a
# school's order, not a print run for a whole city (a typo such as 20000 for
# 200 is caught here rather than at the print shop).
MAX_QUANTITY = 10_000

_PHONE = re.compile(r"^\+?[0-9][0-9 ./()-]*[0-9]$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


@dataclass(frozen=True)
class Contact:
    role: str  # a role id, e.g. "zorgcoordinator"
    name: str
    phone: str | None
    email: str | None
    hours: Hours | None


@dataclass(frozen=True)
class Clb:
    name: str
    phone: str | None
    email: str | None
    website: str | None


@dataclass(frozen=True)
class Logo:
    file: Path
    media_type: str  # "image/svg+xml" or "image/png"
    data: bytes

    @property
    def uri(self) -> str:
        """The logo inline, so rendering never reads a file outside the kit's assets."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode()}"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class School:
    slug: str
    name: str
    address: str
    website: str | None
    site_url: str | None
    logo: Logo | None
    languages: tuple[str, ...]  # translations, in the school's order (Dutch is implied)
    poster_languages: tuple[str, ...]  # the translations on the multilingual poster
    contacts: tuple[Contact, ...]
    clb: Clb
    file: Path
    leaflets: tuple[str, ...] | None = None  # the leaflets of its pack; None: every one
    # Copies of the brochure to order per language (`nl`, or a translation:
    # then of the brochure beside the Dutch), for the print shop's order sheet.
    quantities: tuple[tuple[str, int], ...] = ()



T = TypeVar("T")


class ProfileErrors(UserErrors):
    """Every mistake of one profile: one line each."""

    def __init__(self, problems: list[UserError], file: Path):
        super().__init__(problems, f"{len(problems)} problems in {display_path(file)}; "
                                   "nothing was built")


class _ProfileReader(_Reader):
    problems: list[UserError]
    logo_folder = "the profile's folder"

    def string(self, node: yaml.Node, what: str) -> str:
        value = super().string(node, what)
        # Printed beside every language; the Latin face follows every script's.
        missing = missing_glyphs("Latn", value)
        if missing:
            chars = " ".join(f"U+{ord(c):04X} ({c})" for c in sorted(missing))
            raise self.error(node, f"the kit's fonts cannot draw {chars} in {what}; "
                                   "write it with other characters")
        return value

    def bounded(self, node: yaml.Node, what: str, limit: int) -> str:
        """Text that must fit its place on the page: checked before it is quoted in a message."""
        value = self.string(node, what)
        return self.fits(node, what, value, limit)

    def fits(self, node: yaml.Node, what: str, value: str, limit: int) -> str:
        if len(value) > limit:
            raise self.error(node, f"{what} is {len(value)} characters long; at most {limit} "
                                   "fit where it is printed")
        return value

    def name(self, node: yaml.Node, what: str) -> str:
        """A person's or a school's name: in Latin letters, or in Arabic script."""
        value = self.fits(node, what, _Reader.string(self, node, what), MAX_NAME_LENGTH)
        script = "Arab" if any(is_arabic_letter(ch) for ch in value) else "Latn"
        missing = missing_glyphs(script, value)
        if missing:
            chars = " ".join(f"U+{ord(c):04X} ({c})" for c in sorted(missing))
            raise self.error(node, f"the kit's fonts cannot draw {chars} in {what}; "
                                   "write it with other characters")
        return value

    def phone(self, node: yaml.Node, what: str) -> str:
        value = self._scalar_text(node, what)
        if len(value) > MAX_PHONE_LENGTH:
            raise self.error(node, f"{what} is {len(value)} characters long; a phone number "
                                   f"has at most {MAX_PHONE_LENGTH}")
        digits = sum(ch.isdigit() for ch in value)
        if not _PHONE.match(value) or not 8 <= digits <= 15:
            raise self.error(node, f"{what} `{value}` is not a phone number (e.g. 09 123 45 67 "
                                   "or +32 9 123 45 67)")
        return value

    def email(self, node: yaml.Node, what: str) -> str:
        value = self.bounded(node, what, MAX_WEB_LENGTH)
        if not _EMAIL.match(value):
            raise self.error(node, f"{what} `{value}` is not an e-mail address")
        return value

    def url(self, node: yaml.Node, what: str, scheme_required: bool = False) -> str:
        value = self.bounded(node, what, MAX_WEB_LENGTH)
        if scheme_required and len(value) > MAX_URL_LENGTH:
            # A `site_url` goes into QR codes, with a leaflet's page added.
            raise self.error(node, f"{what} is {len(value)} characters long; at most "
                                   f"{MAX_URL_LENGTH} make a QR code a phone can read")
        parts = urlsplit(value if "://" in value or scheme_required else f"https://{value}")
        host = parts.hostname or ""
        if (parts.scheme not in {"http", "https"} or "." not in host or " " in value
                or not re.fullmatch(r"[A-Za-z0-9.-]+", host)):
            example = "https://www.school.be/cyberpesten" if scheme_required else "www.school.be"
            raise self.error(node, f"{what} `{value}` is not a web address (e.g. {example})")
        return value

    def _scalar_text(self, node: yaml.Node, what: str) -> str:
        # A phone number without spaces, or a time, reads as a YAML number; take it as written.
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:int":
            return node.value
        return self.string(node, what)

    def optional(self, fields: dict[str, yaml.Node], key: str, read, what: str) -> str | None:
        node = fields.get(key)
        # Left empty (`email: ""`, as `new-school` writes it) is the same as left out.
        if node is None or (isinstance(node, yaml.ScalarNode) and (
                node.tag == "tag:yaml.org,2002:null"
                or (node.tag == "tag:yaml.org,2002:str" and not node.value.strip()))):
            return None
        return read(node, what)

    def role(self, node: yaml.Node) -> str:
        role_text = self.string(node, "a contact's `role`")
        role = ROLES.get(role_text.lower())
        if role is None:
            allowed = ", ".join(sorted({k for k in ROLES if k != "zorgcoordinator"}))
            raise self.error(node, f"unknown role `{role_text}` (allowed: {allowed})")
        return role

    def contact(self, node: yaml.Node) -> Contact:
        fields = self.mapping(node, "a contact", {"role", "name"}, {"phone", "email", "hours"})
        role = self.collect(lambda: self.role(fields["role"]), "")
        name = self.collect(lambda: self.name(fields["name"], "a contact's `name`"), "")
        # A bad number or address stands in as "", so it is not also told as missing.
        phone = self.collect(lambda: self.optional(fields, "phone", self.phone, "`phone`"), "")
        email = self.collect(lambda: self.optional(fields, "email", self.email, "`email`"), "")
        hours = self.collect(lambda: self.optional(fields, "hours", self.hours, "`hours`"), None)
        if phone is None and email is None:
            raise self.error(node, "a contact needs a `phone` or an `email`")
        return Contact(role, name, phone, email, hours)

    def hours(self, node: yaml.Node, what: str) -> Hours:
        """Structured opening hours: a list of {days, from, to}, or the same as one text."""
        try:
            if isinstance(node, yaml.ScalarNode):
                return parse_hours_text(self.string(node, what))
            lines = []
            for item in self.sequence(node, what):
                fields = self.mapping(item, "a line of `hours`", {"days", "from", "to"})
                # An unquoted 08:15 or 8.15 is a YAML number: take it as written.
                lines.append(tuple(str(fields[k].value) if isinstance(fields[k], yaml.ScalarNode)
                                   else self.string(fields[k], f"`{k}` in {what}")
                                   for k in ("days", "from", "to")))
            return hours_from_lines(lines)
        except HoursError as exc:
            raise self.error(node, f"{what}: {exc}") from None

    def clb(self, node: yaml.Node) -> Clb:
        fields = self.mapping(node, "`clb`", {"name"}, {"phone", "email", "website"})
        name = self.collect(lambda: self.name(fields["name"], "the CLB's `name`"), "")
        phone = self.collect(lambda: self.optional(fields, "phone", self.phone, "`phone`"), "")
        email = self.collect(lambda: self.optional(fields, "email", self.email, "`email`"), "")
        website = self.collect(lambda: self.optional(fields, "website", self.url, "`website`"),
                               "")
        if phone is None and email is None:
            raise self.error(node, "`clb` needs a `phone` or an `email`")
        return Clb(name, phone, email, website)

    def slug(self, node: yaml.Node) -> str:
        value = self.string(node, "`slug`")
        if not ID_PATTERN.match(value) or len(value) > MAX_SLUG_LENGTH:
            raise self.error(node, f"`slug` `{value}` must be a safe folder name: lowercase "
                                   f"letters, digits and single hyphens, at most "
                                   f"{MAX_SLUG_LENGTH} characters")
        if value in RESERVED_SLUGS:
            raise self.error(node, f"`slug` `{value}` is a folder the kit writes itself in "
                                   "output/schools/; choose another")
        return value

    def codes(self, node: yaml.Node, what: str, known: list[str]) -> tuple[str, ...]:
        codes: list[str] = []
        if isinstance(node, yaml.SequenceNode) and not node.value:
            return ()  # Dutch only
        for item in self.sequence(node, what):
            code = self.string(item, f"a code in {what}")
            if code == "nl":
                continue  # Dutch is in every school pack anyway
            if code not in known:
                raise self.error(item, f"the kit has no translation `{code}`; "
                                       f"choose from: {', '.join(known)}")
            if code in codes:
                raise self.error(item, f"`{code}` is listed twice in {what}")
            codes.append(code)
        return tuple(codes)

    def leaflets(self, node: yaml.Node, library: Collection[str]) -> tuple[str, ...]:
        ids: list[str] = []
        for item in self.sequence(node, "`leaflets`"):
            ident = self.string(item, "a leaflet in `leaflets`")
            if ident not in library:
                raise self.error(item, f"the kit has no leaflet `{ident}`; choose from: "
                                       f"{', '.join(library) or 'none'}")
            if ident in ids:
                raise self.error(item, f"`{ident}` is listed twice in `leaflets`")
            ids.append(ident)
        return tuple(ids)

    def quantities(self, node: yaml.Node,
                   languages: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
        """`{nl: 200, ar: 40}`: how many brochures of each language the order sheet proposes."""
        fields = self.mapping(node, "`quantities`", set(), {"nl", *languages})
        result = []
        for code, value in fields.items():
            number = value.value if isinstance(value, yaml.ScalarNode) else ""
            if (not isinstance(value, yaml.ScalarNode) or value.tag != "tag:yaml.org,2002:int"
                    or not number.isdigit() or not 0 < int(number) <= MAX_QUANTITY):
                raise self.error(value, f"`quantities` of `{code}` must be a whole number of "
                                        f"copies from 1 to {MAX_QUANTITY}, not `{number}`")
            result.append((code, int(number)))
        return tuple(result)

    def logo(self, node: yaml.Node) -> Logo:
        value = self.string(node, "`logo`")
        folder = self.file.parent.resolve()
        path = (folder / value).resolve()  # a symbolic link is followed to where it leads
        if Path(value).is_absolute() or not path.is_relative_to(folder):
            raise self.error(node, f"the logo `{value}` must be a file in {self.logo_folder} "
                                   "or a folder below it")
        kind = LOGO_KINDS.get(path.suffix.lower())
        if kind is None:
            raise self.error(node, f"the logo `{value}` must be an SVG, PNG or JPEG file")
        try:
            size = path.stat().st_size
            if not path.is_file():
                raise IsADirectoryError
            if size > MAX_LOGO_BYTES:
                raise self.error(node, f"the logo `{value}` is {size / 1e6:.1f} MB; at most "
                                       f"{MAX_LOGO_BYTES / 1e6:.0f} MB, please export a "
                                       "smaller file")
            data = path.read_bytes()
        except OSError as exc:
            reason = "it is not a file" if isinstance(exc, IsADirectoryError) else (
                exc.strerror or "unreadable").lower()
            raise self.error(node, f"cannot read the logo `{value}`: {reason}") from None
        try:
            if kind == "SVG":
                check_svg(data)
                return Logo(path, "image/svg+xml", data)
            png = check_bitmap(data, kind, MAX_LOGO_PIXELS)
        except Refused as exc:
            raise self.error(node, f"the logo `{value}` {exc}") from None
        if len(png) > MAX_LOGO_BYTES:
            raise self.error(node, f"the logo `{value}` is {len(png) / 1e6:.1f} MB as PNG; at "
                                   f"most {MAX_LOGO_BYTES / 1e6:.0f} MB, please export a "
                                   "smaller image")
        return Logo(path, "image/png", png)

    def collect(self, read: Callable[[], T], instead: T) -> T:
        """`read()`, or `instead` with its mistake kept: a profile's mistakes are told at once."""
        try:
            return read()
        except UserError as exc:
            self.problems.append(exc)
            return instead

    def poster(self, fields: dict[str, yaml.Node], languages: tuple[str, ...]) -> tuple[str, ...]:
        if "poster_languages" in fields:
            poster = self.codes(fields["poster_languages"], "`poster_languages`", list(languages))
        else:
            poster = languages[:MAX_POSTER_LANGUAGES]
        if len(poster) > MAX_POSTER_LANGUAGES:
            raise self.error(fields.get("poster_languages", fields["languages"]),
                             f"the multilingual poster holds Dutch and at most "
                             f"{MAX_POSTER_LANGUAGES} other languages; choose them with "
                             "`poster_languages`")
        return poster

    def contacts(self, node: yaml.Node) -> tuple[Contact, ...]:
        nodes = self.sequence(node, "`contacts`")
        if len(nodes) > MAX_CONTACTS:
            raise self.error(node, f"at most {MAX_CONTACTS} contacts fit the brochure's "
                                   "contact page")
        read = (self.collect(lambda n=n: self.contact(n), None) for n in nodes)
        return tuple(c for c in read if c is not None)

    def school(self, node: yaml.Node, known: list[str], library: Collection[str] = ()) -> School:
        """A profile; `known` are the translations the kit can build, `library` its leaflets."""
        fields = self.mapping(node, "a school profile", PROFILE_KEYS, OPTIONAL_KEYS)
        self.problems = []
        languages = self.collect(lambda: self.codes(fields["languages"], "`languages`", known),
                                 None)
        school = School(
            slug=self.collect(lambda: self.slug(fields["slug"]), ""),
            name=self.collect(lambda: self.name(fields["name"], "`name`"), ""),
            address=self.collect(lambda: self.bounded(fields["address"], "`address`",
                                                      MAX_ADDRESS_LENGTH), ""),
            website=self.collect(lambda: self.optional(fields, "website", self.url,
                                                       "`website`"), None),
            site_url=self.collect(lambda: self.optional(
                fields, "site_url", lambda n, w: self.url(n, w, scheme_required=True),
                "`site_url`"), None),
            logo=self.collect(lambda: self.optional(fields, "logo", lambda n, _: self.logo(n),
                                                    "`logo`"), None),
            languages=languages or (),
            # The poster's languages are checked against valid `languages` only.
            poster_languages=() if languages is None else self.collect(
                lambda: self.poster(fields, languages), ()),
            contacts=self.collect(lambda: self.contacts(fields["contacts"]), ()),
            clb=self.collect(lambda: self.clb(fields["clb"]), None),
            file=self.file,
            leaflets=self.collect(lambda: self.optional(
                fields, "leaflets", lambda n, _: self.leaflets(n, library), "`leaflets`"), None),
            # Checked against valid `languages` only, like the poster's.
            quantities=() if languages is None or "quantities" not in fields else self.collect(
                lambda: self.quantities(fields["quantities"], languages), ()),
        )
        if self.problems:
            problems = sorted(self.problems, key=lambda p: p.line or 0)
            raise problems[0] if len(problems) == 1 else ProfileErrors(problems, self.file)
        return school


def load_school(path: Path, known: list[str], library: Collection[str] = ()) -> School:
    """Read and validate one profile; `known` are the translations the kit can build,
    `library` the leaflets it has."""
    if path.suffix.lower() not in {".yaml", ".yml"}:
        raise UserError("a school profile is a YAML file (.yaml)", path)
    return _ProfileReader(path).school(compose(path), known, library)


def load_schools(paths: list[Path], known: list[str],
                 library: Collection[str] = ()) -> list[School]:
    schools: dict[str, School] = {}
    for path in paths:
        school = load_school(path, known, library)
        if school.slug in schools:
            raise UserError(f"slug `{school.slug}` is used by {schools[school.slug].file.name} "
                            "too; every school needs its own", path)
        schools[school.slug] = school
    return list(schools.values())
