"""A stage's pages lean on nothing another package registers (../shared/DESIGN.md, "How a stage
plugs in"): every Jinja filter and every context-processor name a template under
`templates/<stage>/` uses comes from the core or from that stage itself, and the core's templates
(the hub, the staff workspace, errors, mail) use no package's at all. Otherwise a stage's page
breaks, or changes, when another package is left out or reordered, and a new stage ends up editing
another's files.

The library and the staff overview are no stages: they read what the stages publish, so their
templates may use the stages' names.
"""

from pathlib import Path

import pytest
from jinja2 import nodes

from app.stages import specs

TEMPLATES = Path(__file__).resolve().parents[1] / "app" / "templates"
READERS = {"library", "staff"}  # packages that read the stages' data (not stages themselves)


def _packages(app) -> set[str]:
    return {spec.key for spec in specs(app)} | READERS


def _owner(module: str, packages: set[str]) -> str:
    """The package a function belongs to, or "core" (the app's foundation, Flask, Jinja)."""
    parts = module.split(".")
    if parts[0] == "app" and len(parts) > 1 and parts[1] in packages:
        return parts[1]
    return "core"


def _context_names(app, packages: set[str]) -> dict[str, str]:
    """{name: owning package} of what the context processors put in every template (a core global
    that a processor passes again, the same object, stays the core's)."""
    names: dict[str, str] = {}
    with app.test_request_context("/"):
        for processors in app.template_context_processors.values():
            for processor in processors:
                owner = _owner(processor.__module__, packages)
                for name, value in processor().items():
                    names[name] = "core" if app.jinja_env.globals.get(name) is value else owner
    return names


def _used_names(app, template: Path) -> tuple[set[str], set[str]]:
    """The filters and the (loaded) names a template uses."""
    tree = app.jinja_env.parse(template.read_text(encoding="utf-8"))
    filters = {node.name for node in tree.find_all((nodes.Filter,))}
    names = {node.name for node in tree.find_all((nodes.Name,)) if node.ctx == "load"}
    return filters, names


def test_a_stage_page_uses_only_the_core_and_its_own_filters_and_names(app):
    packages = _packages(app)
    assert {"field_visit", "capture", "library"} <= packages
    filters = {name: _owner(function.__module__, packages) for name, function in app.jinja_env.filters.items()}
    context = _context_names(app, packages)

    borrowed = []
    for template in sorted(TEMPLATES.rglob("*.*")):
        if template.suffix not in (".html", ".txt", ".ics", ".xml"):
            continue
        relative = template.relative_to(TEMPLATES)
        first = relative.parts[0]
        page_owner = first if first in packages else "core"
        if page_owner in READERS:
            continue
        used_filters, used_names = _used_names(app, template)
        for kind, used, owners in (("filter", used_filters, filters), ("name", used_names, context)):
            for name in sorted(used):
                owner = owners.get(name, "core")
                if owner not in ("core", page_owner):
                    borrowed.append(f"{relative}: {kind} {name!r} is registered by app.{owner}")
    assert borrowed == [], "\n".join(borrowed)


@pytest.mark.parametrize("module, expected", [("app.i18n", "core"), ("app.library", "library"),
                                              ("app.field_visit.routes", "field_visit"), ("jinja2.filters", "core")])
def test_owner_of_a_function(app, module, expected):
    assert _owner(module, _packages(app)) == expected
