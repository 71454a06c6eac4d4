"""Every PDF the app makes (the learning note, sign-in sheets and badges): WeasyPrint, fed HTML we
render, allowed to read nothing but the app's static files.

Security (../shared/DESIGN.md: "PDF rendering never fetches from the network or the file system
outside the app's static folder"):

- `StaticOnlyFetcher` is the only way WeasyPrint gets a resource. It answers URLs under
  `STATIC_ORIGIN` (a name under `.invalid`, which never resolves) from the app's static folder,
  after resolving the path (no `..`, no symbolic link out of the folder), for a short list of
  file types, within a size and a count. Everything else (http(s) elsewhere, `file://`, `data:`,
  `ftp:`…) is refused before any I/O: it never opens a socket or a file outside the folder, so a
  redirect is never even requested.
- Attachments: `<link rel=attachment>` and `<a rel=attachment>` would embed files in the PDF.
  The rendered document's attachments and attachment links are dropped, and the fetcher is closed
  once layout is done, so nothing can be fetched while the PDF is written.
- Bounded: the HTML has a maximum size; rendering runs in a child process (fork) that is killed
  after `LEARNING_NOTE_PDF_TIMEOUT` seconds; a PDF larger than `LEARNING_NOTE_PDF_MAX_BYTES` is
  refused.

WeasyPrint (some 30 MB once imported) is loaded where a PDF is made, not with the app: a web worker
that only serves pages and kept files never holds it (`StaticOnlyFetcher` is made on first use).
"""

import functools
import logging
import multiprocessing
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app

log = logging.getLogger(__name__)

STATIC_ORIGIN = "https://static.app.invalid/"
ALLOWED_SUFFIXES = {".css": "text/css", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
                    ".otf": "font/otf", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
                    ".jpeg": "image/jpeg"}
FILE_MAX_BYTES = 2 * 1024 * 1024
FILES_MAX = 64
HTML_MAX_CHARS = 8 * 1024 * 1024
DEFAULT_TIMEOUT = 60
DEFAULT_MAX_BYTES = 25 * 1024 * 1024


class FetchRefused(ValueError):
    """WeasyPrint logs it as a warning and goes on without the resource."""


class RenderFailed(RuntimeError):
    """The PDF could not be rendered within its bounds."""


@functools.cache
def _static_only_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """A URL fetcher that serves only the files of one folder, named under STATIC_ORIGIN.

        `fetched` and `refused` list the URLs asked for (tests and logs read them)."""

        def __init__(self, static_folder: str | Path, *, file_max_bytes: int = FILE_MAX_BYTES,
                     files_max: int = FILES_MAX):
            super().__init__(timeout=1, allowed_protocols=("https",), allow_redirects=False, fail_on_errors=False)
            self.root = Path(static_folder).resolve()
            self.file_max_bytes = file_max_bytes
            self.files_max = files_max
            self.fetched: list[str] = []
            self.refused: list[str] = []
            self.closed = False

        def _refuse(self, url: str, why: str):
            self.refused.append(url)
            raise FetchRefused(f"refused ({why}): {url[:200]}")

        def local_path(self, url: str) -> Path:
            """The file a URL names in the static folder; FetchRefused for anything else."""
            if self.closed:
                self._refuse(url, "rendering is over")
            if not url.startswith(STATIC_ORIGIN):
                self._refuse(url, "not one of the app's static files")
            parts = urlsplit(url)
            if parts.scheme != "https" or parts.netloc != urlsplit(STATIC_ORIGIN).netloc or parts.query:
                self._refuse(url, "not one of the app's static files")
            relative = unquote(parts.path).lstrip("/")
            if not relative or "\x00" in relative or "\\" in relative or any(p in ("", ".", "..")
                                                                           for p in relative.split("/")):
                self._refuse(url, "not a plain path")
            path = (self.root / relative).resolve()
            if not path.is_relative_to(self.root) or not path.is_file():
                self._refuse(url, "no such static file")
            if path.suffix.lower() not in ALLOWED_SUFFIXES:
                self._refuse(url, "not a stylesheet, font or image")
            if path.stat().st_size > self.file_max_bytes:
                self._refuse(url, "too large")
            if len(self.fetched) >= self.files_max:
                self._refuse(url, "too many files")
            return path

        def fetch(self, url, headers=None):
            path = self.local_path(url)
            self.fetched.append(url)
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": ALLOWED_SUFFIXES[path.suffix.lower()]})

        def open(self, url, data=None, timeout=None):  # never urllib's opener
            return self.fetch(getattr(url, "full_url", url))

        def __call__(self, url):
            return self.fetch(url)

    return StaticOnlyFetcher


def __getattr__(name: str):
    if name == "StaticOnlyFetcher":
        return _static_only_fetcher_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def static_url(filename: str) -> str:
    """Where the print HTML names one of the app's static files."""
    return STATIC_ORIGIN + filename.lstrip("/")


def _without_attachments(document) -> None:
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]


def render_pdf(html: str, static_folder: str | Path, fetcher=None, font_config=None) -> bytes:
    """Render in this process (tests give their own fetcher, a StaticOnlyFetcher, to see what it was
    asked for; `font_config`: a WeasyPrint FontConfiguration)."""
    from weasyprint import HTML

    if len(html) > HTML_MAX_CHARS:
        raise RenderFailed("the document is too large to render")
    fetcher = fetcher or _static_only_fetcher_class()(static_folder)
    document = HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=fetcher).render(font_config=font_config)
    fetcher.closed = True
    _without_attachments(document)
    pdf = document.write_pdf()
    if fetcher.refused:
        log.warning("PDF rendering refused to fetch: %s", ", ".join(url[:120] for url in fetcher.refused))
    return pdf


_PREPARED: dict = {}
_PREPARING = threading.Lock()
FONT_SAMPLE = ('<html lang="fr"><head><link rel="stylesheet" href="{origin}css/learning-note-fonts.css"></head>'
               '<body style="font-family: \'Source Serif 4\'"><p>Aa <b>Aa</b> <i>Aa</i> <b><i>Aa</i></b> Ąą</p>'
               '<p style="font-family: \'Source Sans 3\'">Aa <b>Aa</b> <span style="font-weight: 600">Aa</span> Ąą</p>'
               '</body></html>')


def prepared_fonts(static_folder: str):
    """What every PDF needs, made once per process before the rendering children are forked (they
    inherit it): the network's fonts unpacked and registered, the English and French hyphenation
    patterns loaded. Made by rendering a fixed sample through the same static-only fetcher."""
    with _PREPARING:
        if static_folder not in _PREPARED:
            import pyphen
            from weasyprint import HTML
            from weasyprint.text.fonts import FontConfiguration

            for lang in ("en", "fr"):
                pyphen.Pyphen(lang=lang)
            font_config = FontConfiguration()
            HTML(string=FONT_SAMPLE.format(origin=STATIC_ORIGIN), base_url=STATIC_ORIGIN,
                 url_fetcher=_static_only_fetcher_class()(static_folder)).render(font_config=font_config)
            _PREPARED[static_folder] = font_config
        return _PREPARED[static_folder]


def _child(connection, html: str, static_folder: str, max_bytes: int, font_config) -> None:
    try:
        data = render_pdf(html, static_folder, font_config=font_config)
        if len(data) > max_bytes:
            connection.send(("error", f"the PDF is larger than {max_bytes} bytes"))
        else:
            connection.send(("ok", data))
    except BaseException as error:
        connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


def render_pdf_bounded(html: str, static_folder: str | Path | None = None, *, timeout: float | None = None,
                       max_bytes: int | None = None) -> bytes:
    """Render in a child process, killed after `timeout` seconds; refuse a PDF over `max_bytes`.
    Where processes cannot be forked (or LEARNING_NOTE_PDF_ISOLATED is off), render here."""
    config = current_app.config
    static_folder = str(static_folder or current_app.static_folder)
    timeout = timeout if timeout is not None else config.get("LEARNING_NOTE_PDF_TIMEOUT", DEFAULT_TIMEOUT)
    max_bytes = max_bytes if max_bytes is not None else config.get("LEARNING_NOTE_PDF_MAX_BYTES", DEFAULT_MAX_BYTES)
    if not config.get("LEARNING_NOTE_PDF_ISOLATED", True) or "fork" not in multiprocessing.get_all_start_methods():
        data = render_pdf(html, static_folder)
        if len(data) > max_bytes:
            raise RenderFailed(f"the PDF is larger than {max_bytes} bytes")
        return data
    font_config = prepared_fonts(static_folder)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, html, static_folder, max_bytes, font_config), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise RenderFailed(f"rendering took longer than {timeout} seconds")
        try:
            status, payload = receiver.recv()
        except EOFError:
            raise RenderFailed("the rendering process ended without a PDF") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if status != "ok":
        raise RenderFailed(payload)
    return payload
