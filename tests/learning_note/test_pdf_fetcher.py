"""PDF rendering reads the app's static files and nothing else: every hostile resource planted in the
HTML is refused before anything is fetched, and nothing is attached to the PDF."""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from pypdf import PdfReader

from app.pdf import STATIC_ORIGIN, RenderFailed, StaticOnlyFetcher, render_pdf, render_pdf_bounded

SECRET = "TOP-SECRET-FILE-CONTENT"


class _Recorder(BaseHTTPRequestHandler):
    hits: ClassVar[list] = []

    def do_GET(self):
        self.hits.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", STATIC_ORIGIN + "css/learning-note-print.css")
            self.end_headers()
            return
        body = b"body::after { content: 'FROM-THE-NETWORK'; }" if self.path.endswith(".css") else b"\x89PNG"
        self.send_response(200)
        self.send_header("Content-Type", "text/css" if self.path.endswith(".css") else "image/png")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def remote():
    """A web server on 127.0.0.1 that records every request it receives."""
    handler = type("Recorder", (_Recorder,), {"hits": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", handler.hits
    server.shutdown()
    thread.join(5)


@pytest.fixture
def secret_file(tmp_path):
    css = tmp_path / "local.css"
    css.write_text(f"body::after {{ content: '{SECRET}'; }}")
    text = tmp_path / "secret.txt"
    text.write_text(SECRET)
    return tmp_path


def _document(body: str, head: str = "") -> str:
    return (f"<!doctype html><html><head><meta charset=utf-8>{head}</head>"
            f"<body><p>Visible text of the note.</p>{body}</body></html>")


def _render(app, html: str):
    fetcher = StaticOnlyFetcher(app.static_folder)
    data = render_pdf(html, app.static_folder, fetcher=fetcher)
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    return fetcher, reader, text, data


def _attachments(reader: PdfReader) -> list:
    names = reader.trailer["/Root"].get("/Names")
    embedded = names.get_object().get("/EmbeddedFiles") if names is not None else None
    annotations = [annotation.get_object().get("/Subtype") for page in reader.pages
                   for annotation in (page.get("/Annots") or [])]
    return [embedded, *[a for a in annotations if a == "/FileAttachment"]] if embedded else \
        [a for a in annotations if a == "/FileAttachment"]


def test_the_app_own_fonts_and_stylesheets_are_served(app):
    html = _document("", f'<link rel=stylesheet href="{STATIC_ORIGIN}css/learning-note-fonts.css">'
                         f'<style>p {{ font-family: "Source Serif 4"; }}</style>')
    fetcher, reader, text, _data = _render(app, html)
    assert f"{STATIC_ORIGIN}css/learning-note-fonts.css" in fetcher.fetched
    assert any(url.endswith(".woff") for url in fetcher.fetched)
    assert fetcher.refused == []
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("Source-Serif-4" in font for font in fonts), fonts
    assert "Visible text of the note." in text


def test_a_planted_remote_image_is_never_fetched(app, remote):
    base, hits = remote
    fetcher, _reader, text, _data = _render(app, _document(f'<img src="{base}/tracker.png" alt="x">'))
    assert hits == []
    assert fetcher.refused == [f"{base}/tracker.png"] and fetcher.fetched == []
    assert "Visible text of the note." in text


def test_a_file_path_is_refused(app, secret_file):
    html = _document(f'<img src="file://{secret_file}/secret.txt"><img src="{secret_file}/secret.txt">',
                     f'<link rel=stylesheet href="file://{secret_file}/local.css">')
    fetcher, _reader, text, _data = _render(app, html)
    assert fetcher.fetched == []
    assert f"file://{secret_file}/local.css" in fetcher.refused
    assert f"file://{secret_file}/secret.txt" in fetcher.refused
    assert SECRET not in text


def test_attachments_are_never_embedded(app, secret_file, remote):
    base, hits = remote
    html = _document(
        f'<a rel="attachment" href="{STATIC_ORIGIN}css/learning-note-print.css">the print stylesheet</a>'
        f'<a rel="attachment" href="file://{secret_file}/secret.txt">secret</a>',
        f'<link rel="attachment" href="{STATIC_ORIGIN}css/learning-note-fonts.css">'
        f'<link rel="attachment" href="file://{secret_file}/secret.txt">'
        f'<link rel="attachment" href="{base}/remote.css">')
    fetcher, reader, _text, data = _render(app, html)
    assert _attachments(reader) == []
    assert b"/EmbeddedFile" not in data and SECRET.encode() not in data
    assert hits == []
    # Not even the app's own static files are read to be attached.
    assert not any("learning-note-print.css" in url or "learning-note-fonts.css" in url for url in fetcher.fetched)


def test_css_imports_of_remote_or_local_urls_are_refused(app, remote, secret_file):
    base, hits = remote
    html = _document("", f"<style>@import url({base}/imported.css); @import url(file://{secret_file}/local.css);"
                         f"@import url('{STATIC_ORIGIN}../../../../{secret_file}/local.css');</style>")
    fetcher, _reader, text, _data = _render(app, html)
    assert hits == []
    assert fetcher.fetched == []
    assert f"{base}/imported.css" in fetcher.refused and f"file://{secret_file}/local.css" in fetcher.refused
    assert "FROM-THE-NETWORK" not in text and SECRET not in text


def test_a_redirecting_url_is_refused_before_any_request(app, remote):
    base, hits = remote
    html = _document(f'<img src="{base}/redirect.png">', f'<link rel=stylesheet href="{base}/redirect.css">')
    fetcher, _reader, _text, _data = _render(app, html)
    assert hits == []  # the redirect was never even asked for, so never followed
    assert fetcher.fetched == [] and len(fetcher.refused) == 2


@pytest.mark.parametrize("path", [
    "../../../../../../etc/passwd", "css/../../../config.py", "%2e%2e/%2e%2e/config.py", "css/%2e%2e/%2e%2e/wsgi.py",
    "css\\..\\..\\config.py", "fonts/README.txt", "css/app.css?x=1", "", "css/nothing-here.css",
])
def test_the_fetcher_serves_only_plain_paths_inside_the_static_folder(app, path):
    fetcher = StaticOnlyFetcher(app.static_folder)
    with pytest.raises(ValueError):
        fetcher.fetch(STATIC_ORIGIN + path)
    assert fetcher.fetched == []


def test_a_symbolic_link_out_of_the_static_folder_is_refused(tmp_path, secret_file):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "real.css").write_text("p { color: black; }")
    (static / "css" / "escape.css").symlink_to(secret_file / "local.css")
    fetcher = StaticOnlyFetcher(static)
    assert fetcher.fetch(STATIC_ORIGIN + "css/real.css").read() == b"p { color: black; }"
    with pytest.raises(ValueError):
        fetcher.fetch(STATIC_ORIGIN + "css/escape.css")
    other_hosts = ["https://static.app.invalid.example.org/css/real.css", "http://static.app.invalid/css/real.css",
                   "https://user@static.app.invalid/css/real.css", "data:text/css,p{}", "ftp://127.0.0.1/x.css"]
    for url in other_hosts:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetched == [STATIC_ORIGIN + "css/real.css"]


def test_rendering_is_bounded_in_time_and_size(app):
    with app.test_request_context():
        html = _document("<p>Some text.</p>" * 2000)
        with pytest.raises(RenderFailed, match="longer than"):
            render_pdf_bounded(html, timeout=0.05)
        with pytest.raises(RenderFailed, match="larger than"):
            render_pdf_bounded(_document(""), max_bytes=100)
        with pytest.raises(RenderFailed, match="too large"):
            render_pdf_bounded("x" * (9 * 1024 * 1024))
        assert render_pdf_bounded(_document("")).startswith(b"%PDF-")
