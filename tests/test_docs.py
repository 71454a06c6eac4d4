"""The README and docs/ stay true to the code: every link leads somewhere, every `flask` command they
name exists, every setting they name is one the app reads."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "SECURITY.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)|src=\"([^\"]+)\"")


def _anchors(page: Path) -> set[str]:
    """GitHub's anchors of a page's headings."""
    found = set()
    for line in page.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


def test_the_docs_exist_and_the_readme_leads_to_each():
    readme = (ROOT / "README.md").read_text()
    for page in (ROOT / "docs").glob("*.md"):
        assert f"docs/{page.name}" in readme, f"the README does not lead to docs/{page.name}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_leads_to_a_file_and_heading(page):
    for target in (markdown or html for markdown, html in LINK.findall(page.read_text())):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), f"{page.name}: {target} leads nowhere"
        if anchor and linked.suffix == ".md":
            assert anchor in _anchors(linked), f"{page.name}: no heading #{anchor} in {linked.name}"


def _command_names(group, prefix=()):
    import click

    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _command_names(command, (*prefix, name))


def test_every_flask_command_the_docs_name_exists(app):
    import click

    known = {" ".join(name) for name in _command_names(app.cli)}
    known |= {"db upgrade", "db migrate", "db downgrade", "db current", "routes", "run", "shell"}
    groups = {name for name, command in app.cli.commands.items() if isinstance(command, click.Group)} | {"db"}
    named = set()
    for page in PAGES:
        for words in re.findall(r"flask ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)", page.read_text()):
            named.add(words)
    assert named, "the docs name no flask command at all"
    for words in named:
        first = words.split()[0]
        # a command followed by an ordinary word ("flask seed-demo can…") names that command
        assert words in known or (first in known and first not in groups), f"`flask {words}` is no command"


def test_every_setting_the_docs_name_is_read_by_the_app():
    code = "\n".join(p.read_text() for p in [ROOT / "config.py", *ROOT.glob("app/**/*.py")])
    named = set()
    for page in PAGES:
        named |= set(re.findall(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`", page.read_text()))
    assert "SECRET_KEY" in named and "MAIL_BATCH_SIZE" in named
    ignored = {"FLASK_APP", "FLASK_DEBUG", "ADMIN_PASSWORD", "TEST_DATABASE_URL", "PYTEST_ARGS", "BENCH_ARGS"}
    missing = sorted(name for name in named - ignored if name not in code)
    assert not missing, f"the docs name settings the app never reads: {missing}"
