"""Markdown that organisers write, rendered to HTML that is safe to show.

CommonMark (markdown-it-py) with raw HTML switched off, then the nh3 sanitiser with an allow-list:
no script or style, no event-handler attributes, links only to http, https and mailto, and every
link opened without giving the target page a handle on ours. `render_markdown()` is used before the
HTML is stored; `safe_html()` again whenever stored HTML is shown.
"""

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol",
    "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "del", "s",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}, "td": {"align"}, "th": {"align"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def safe_html(html: str) -> Markup:
    """HTML reduced to the allow-list, ready to put in a page."""
    cleaned = nh3.clean(
        html or "",
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704 (sanitised just above)


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML. Headings start at level 2: the page has its own h1."""
    html = _markdown.render(text or "")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return str(safe_html(html))
