"""The viewer's language, and content that organisers write in both languages.

Language order: `?lang=`, then the cookie that `?lang=` sets, then Accept-Language.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton
from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
COOKIE_MAX_AGE = 365 * 24 * 3600


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    remembered = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if remembered in languages:
        return remembered
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_language(response):
    """Keep the language chosen with ?lang= for the next pages."""
    asked = request.args.get("lang")
    cookie_name = current_app.config["LANGUAGE_COOKIE"]
    if asked in current_app.config["LANGUAGES"] and request.cookies.get(cookie_name) != asked:
        response.set_cookie(
            cookie_name, asked, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    # The same URL serves both languages, chosen by cookie or header: caches must keep them apart.
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    return response


def current_language() -> str:
    return str(get_locale() or "en")


def other_language(lang: str | None = None) -> str:
    return "fr" if (lang or current_language()) == "en" else "en"


@dataclass(frozen=True)
class LocalizedText:
    """A bilingual value as shown to one viewer: the text, its language, and whether it is the
    other language standing in for a missing translation."""

    text: str
    lang: str
    is_fallback: bool

    def __bool__(self) -> bool:
        return bool(self.text)

    def __str__(self) -> str:
        return self.text


def localized(obj, field: str, lang: str | None = None) -> LocalizedText:
    """`obj.<field>_<lang>` in the viewer's language, else the other language, marked."""
    lang = lang or current_language()
    wanted = getattr(obj, f"{field}_{lang}", None) or ""
    if wanted.strip():
        return LocalizedText(wanted, lang, False)
    other = other_language(lang)
    fallback = getattr(obj, f"{field}_{other}", None) or ""
    return LocalizedText(fallback, other, bool(fallback.strip()))


def written_in(text: str, lang: str) -> LocalizedText:
    """A text stored in one language only (who should act, a working group's name, typed with an
    entry), shown like a bilingual field's fallback: marked when it is not in the viewer's language."""
    text = text or ""
    return LocalizedText(text, lang, lang != current_language() and bool(text.strip()))


def missing_translations(obj, fields) -> list[tuple[str, str]]:
    """(field, language) pairs where one side of a bilingual text is empty but the other is not."""
    missing = []
    for field in fields:
        values = {lang: (getattr(obj, f"{field}_{lang}") or "").strip() for lang in ("en", "fr")}
        if any(values.values()):
            missing.extend((field, lang) for lang, value in values.items() if not value)
    return missing


FALLBACK_NOTES = {"en": _l("in English only"), "fr": _l("in French only")}


def typed_text(text: str) -> Markup:
    """Text typed without a language (a follow-up note, who should act, how a field visit travels):
    marked with the language its words show when it is not the page's, with the note a one-sided
    bilingual text gets ("in English only"), else spaced as the page's language wants. The `typed`
    filter of every page: stages use it, so the core registers it."""
    from app.library.text import guess_language

    page = current_language()
    lang = guess_language(text) or page
    if lang != page:
        return render_localized(LocalizedText(text, lang, True))
    return Markup("{}").format(french_spacing(text) if page == "fr" else text)


_ELEMENTS = {"span": Markup("<span{0}>{1}</span>"), "p": Markup("<p{0}>{1}</p>")}
_FALLBACK_NOTE = Markup(' <small class="fallback">({0})</small>')
_LANG_ATTRIBUTE = Markup(' lang="{0}"')


def render_localized(value: LocalizedText, element: str = "span") -> Markup:
    """The text with its lang attribute and, when it stands in for a translation, a note saying so."""
    if not value.is_fallback:
        return _ELEMENTS[element].format("", value.text)
    return _ELEMENTS[element].format(_LANG_ATTRIBUTE.format(value.lang), value.text) + _FALLBACK_NOTE.format(
        FALLBACK_NOTES[value.lang]
    )


# French writes the first day of a month as an ordinal: "1er mars", "du 1er au 3 mars" (Babel's
# patterns give "1 mars"). Only a lone 1 before a month's name or a range's dash is one.
_FRENCH_FIRST = re.compile(r"(?<![\d.,:])1(?=[ \u00a0\u202f](?:janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)"
                           r"|[–-])")


def first_of_month(text: str, locale: str) -> str:
    return _FRENCH_FIRST.sub("1er", text) if locale.startswith("fr") else text


def format_date_range(start: date, end: date | None, month_only: bool = False) -> str:
    return _date_range(start, end, month_only, current_language())


@lru_cache(maxsize=4096)
def _date_range(start: date, end: date | None, month_only: bool, locale: str) -> str:
    if month_only:
        return format_skeleton("yMMMM", start, locale=locale)
    if end is None or end == start:
        return first_of_month(format_skeleton("yMMMMd", start, locale=locale), locale)
    return first_of_month(format_interval(start, end, "yMMMMd", locale=locale), locale)


def country_name(code: str) -> str:
    return _territories(current_language()).get(code, code)


@lru_cache(maxsize=8)
def _territories(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


def city_name(city) -> str:
    return getattr(city, f"name_{current_language()}") or city.name_en


def language_switch_url(lang: str) -> str:
    """This page in another language: same path and query, with lang replaced."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def format_local_datetime(instant: datetime, zone_name: str) -> str:
    """A moment as the host city's clocks show it, with the zone named."""
    from app.timezones import utc_to_local

    local = utc_to_local(instant, zone_name)
    day = first_of_month(format_date(local, "medium", locale=current_language()), current_language())
    return f"{day}, {local:%H:%M} ({zone_name})"


def format_day(day: date) -> str:
    """A day written out in the viewer's language: "Tuesday 12 October 2027", "mardi 12 octobre 2027"."""
    return first_of_month(format_date(day, "full", locale=current_language()), current_language())


def alphabetical(name: str) -> tuple[str, str]:
    """The key that sorts names as a dictionary does in French and English: accents and case set
    aside first (Égypte before Espagne, Séville between Sfax and Sousse), then as written."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return folded, name


def file_size(num_bytes: int) -> str:
    """A file's size as the reader writes it: "12 kB", "2.5 MB"; "12 ko", "2,5 Mo" in French."""
    from babel.units import format_unit

    if num_bytes < 1024 * 1024:
        written = format_unit(max(1, -(-num_bytes // 1024)), "digital-kilobyte", length="short",
                              locale=current_language())
    else:
        written = format_unit(round(num_bytes / (1024 * 1024), 1), "digital-megabyte", length="short",
                              locale=current_language())
    return written.replace(" ", "\u00a0")  # never "12" at a line's end and "kB" on the next


def local_time(instant: datetime, zone_name: str) -> str:
    from app.timezones import utc_to_local

    return f"{utc_to_local(instant, zone_name):%H:%M}"


def local_moment(instant: datetime, zone_name: str) -> str:
    """A moment in the event's zone, short: the page names the zone once."""
    from app.timezones import utc_to_local

    local = utc_to_local(instant, zone_name)
    day = first_of_month(format_skeleton("MMMEd", local, locale=current_language()), current_language())
    return f"{day}, {local:%H:%M}"


# French elides "de", "que", "le", "la", "je", "ne", "se" before a vowel: "le programme d'Échange",
# "qu'Amman". Sentences built around a name or a title only know the word once it is put in, so
# the rule runs on the finished French sentence. A word starting with h is left alone (the aspirated
# h of "de Hambourg" does not elide), and so is a pronoun after an imperative's hyphen
# ("retirez-le aussi").
_ELIDABLE = re.compile(r"(?<![-\u2011])\b([DdQqLlJjNnSs]e|[Qq]ue|[Ll]a) (?=[AEIOUÉÈÊËÀÂÎÏÔÛŒaeiouéèêëàâîïôûœ])")


def french_elision(text: str) -> str:
    def elide(match: re.Match) -> str:
        word = match.group(1)
        return f"{word[:-1]}'"

    return _ELIDABLE.sub(elide, text)


_ACRONYM = re.compile(r"\w*[A-ZÀ-Þ]\w*[A-ZÀ-Þ0-9]")


def title_in_sentence(title: str, lang: str, proper_nouns: tuple[str, ...] = ()) -> str:
    """A title as French writes it inside a sentence: "le programme d'accès inclusif au logement",
    not "d'Accès inclusif". Only the first letter's capital is a title's: it is kept when the title
    starts with an acronym, a country or one of the given proper nouns (such as the host city).
    English keeps its titles as written."""
    if lang != "fr" or not title:
        return title
    first_word = re.split(r"[\s,;:'’-]", title, maxsplit=1)[0]
    if not first_word[:1].isupper() or _ACRONYM.match(first_word):
        return title
    names = {*proper_nouns, *_territories("fr").values()}
    if any(title.startswith(name) and not title[len(name):len(name) + 1].isalpha() for name in names if name):
        return title
    return title[0].lower() + title[1:]


def install_french_elision(jinja_env) -> None:
    """Templates' `_()`/`gettext()` give French sentences elided once their values are put in."""
    from jinja2 import pass_context

    translate = jinja_env.globals["gettext"]

    @pass_context
    def gettext(context, string, **variables):
        sentence = translate(context, string, **variables)
        if current_language() != "fr":
            return sentence
        elided = french_elision(sentence)
        return Markup(elided) if isinstance(sentence, Markup) else elided  # noqa: S704 (the same text, elided)

    jinja_env.globals.update(gettext=gettext, _=gettext)


def colon() -> Markup:
    """The colon after a label put together in a template: French puts a no-break space before it."""
    return Markup("\u00a0:") if current_language() == "fr" else Markup(":")


def semicolon() -> Markup:
    """The semicolon between the entries of a list put together in a template ("Giulia Rossi
    (Turin) ; Ana Ruiz"): French puts a no-break space before it too."""
    return Markup("\u00a0; ") if current_language() == "fr" else Markup("; ")


_BEFORE_DOUBLE_PUNCTUATION = re.compile(r"[ \u202f]+([:;?!»])")
_AFTER_OPENING_GUILLEMET = re.compile(r"«[ \u202f]+")


def french_spacing(text: str) -> str:
    """French text as French typography wants it: a no-break space before « : ; ? ! » and inside
    guillemets, where the text has an ordinary space (or none)."""
    text = _BEFORE_DOUBLE_PUNCTUATION.sub("\u00a0\\1", text or "")
    return _AFTER_OPENING_GUILLEMET.sub("«\u00a0", text)
