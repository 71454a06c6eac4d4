"""The app starts the way a newcomer starts it, in fresh interpreters, not in this test process
(where everything is imported already and the order of imports hides mistakes):

- `flask db upgrade`, `flask seed-demo` and `flask routes` on a fresh database, then the network
  page, the demo event's hub and every stage page it links to from `wsgi:app`; on SQLite, and on a
  fresh PostgreSQL database beside TEST_DATABASE_URL's when it names one;
- every `app.*` module imports on its own, in a process that has run no code of the app before:
  none may need another imported first.
"""

import json
import os
import pkgutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

import config
from config import normalise_database_url

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable  # the virtual environment's python, which runs the tests

# Fetched with the test client of `wsgi:app` (as gunicorn loads it): status codes of the network
# page, the demo event's hub and every stage page the hub shows a link for (the stages' own
# `hub_status` URLs), whether the network page links to the hub, and the stage pages the hub lacks.
FETCH_PAGES = """
import json
from wsgi import app
from app.events.models import Event
from app.events.seed import DEMO_SLUG
from app.extensions import db
from app.stages import stages_of

client = app.test_client()
hub = f"/events/{DEMO_SLUG}/"
with app.test_request_context():
    event = db.session.scalar(db.select(Event).filter_by(slug=DEMO_SLUG))
    stage_pages = [view.url for view in stages_of(event) if view.url]
    db.session.remove()
statuses, unlinked = {}, []
for lang in ("en", "fr"):
    hub_page = client.get(f"{hub}?lang={lang}").get_data(as_text=True)
    unlinked += [f"{url}?lang={lang}" for url in stage_pages if f'href="{url}"' not in hub_page]
    for path in ("/", hub, *stage_pages):
        statuses[f"{path}?lang={lang}"] = client.get(f"{path}?lang={lang}").status_code
home = client.get("/?lang=en").get_data(as_text=True)
print(json.dumps({"statuses": statuses, "hub": hub, "home_links_hub": f'href="{hub}"' in home,
                  "stage_pages": stage_pages, "unlinked": unlinked}))
"""


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any of the app's settings, plus `settings`."""
    app_settings = {name for name in dir(config.Config) if name.isupper()}
    app_settings |= {"APP_ENV", "DATABASE_URL", "TEST_DATABASE_URL", "FLASK_APP", "FLASK_DEBUG"}
    env = {name: value for name, value in os.environ.items() if name not in app_settings}
    env.update(settings)
    return env


def run(args: list[str], env: dict[str, str], timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def tail(result: subprocess.CompletedProcess, lines: int = 25) -> str:
    return "\n".join((result.stdout + result.stderr).strip().splitlines()[-lines:])


@pytest.fixture
def fresh_postgres_url():
    """A new, empty database on TEST_DATABASE_URL's server, dropped afterwards (the suite's own
    database is left alone). Skips where the account may not create databases."""
    import psycopg
    from psycopg import sql

    server = make_url(normalise_database_url(os.environ["TEST_DATABASE_URL"])).set(drivername="postgresql")
    name = f"startup_{uuid.uuid4().hex[:12]}"
    admin = server.render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.errors.InsufficientPrivilege as error:
        pytest.skip(f"CREATE DATABASE is not permitted on TEST_DATABASE_URL's server: {error}")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'x.sqlite'}"
    return request.getfixturevalue("fresh_postgres_url")


def test_a_fresh_database_is_migrated_seeded_and_served(fresh_database_url, tmp_path):
    # MAIL_DELIVERY=worker: no delivery thread is left running (and printing the demo emails)
    # when the interpreter that fetches the pages exits.
    env = clean_environment(APP_ENV="development", DATABASE_URL=fresh_database_url, FLASK_APP="wsgi.py",
                            UPLOAD_DIR=str(tmp_path / "uploads"), MAIL_DELIVERY="worker")
    for command in (["db", "upgrade"], ["seed-demo"], ["routes"]):
        result = run(["-m", "flask", *command], env)
        assert result.returncode == 0, f"`flask {' '.join(command)}` failed:\n{tail(result)}"
    assert "/events/<slug>/" in result.stdout, f"`flask routes` lists no event hub:\n{tail(result)}"

    result = run(["-c", FETCH_PAGES], env)
    assert result.returncode == 0, f"serving wsgi:app failed:\n{tail(result)}"
    pages = json.loads(result.stdout.strip().splitlines()[-1])
    assert pages["statuses"] == dict.fromkeys(pages["statuses"], 200), pages["statuses"]
    # The demo event is open with its background, agenda, field visit, registration and capture.
    assert len(pages["stage_pages"]) >= 5, pages["stage_pages"]
    assert len(pages["statuses"]) == 2 * (2 + len(pages["stage_pages"]))
    assert pages["unlinked"] == [], "the hub shows no link to these stage pages"
    assert pages["home_links_hub"], f"the network page does not link to the demo event ({pages['hub']})"


def app_modules() -> list[str]:
    """Every module under app/, found on disk by pkgutil without importing any (walk_packages
    would import the packages, and silently skip the modules of one that fails to import)."""
    names = ["app"]

    def walk(directory: Path, prefix: str) -> None:
        for module in pkgutil.iter_modules([str(directory)], prefix):
            names.append(module.name)
            if module.ispkg:
                walk(directory / module.name.rpartition(".")[2], f"{module.name}.")

    walk(ROOT / "app", "app.")
    return sorted(names)


def test_app_modules_are_found():
    modules = app_modules()
    assert {"app", "app.extensions", "app.agenda.queries", "app.events.seed"} <= set(modules)
    assert len(modules) == len(set(modules))


# A fresh interpreter costs about 0.8 s here, nearly all of it importing Flask, SQLAlchemy and the
# rest: too slow for 80+ modules on two cores. So one fresh interpreter imports those libraries (and
# nothing of the app, config or wsgi), then forks a child per module: each child starts as a process
# that has never run a line of the app. (Only a module that leans on one of these libraries' own
# submodules being imported by someone else would pass here and not alone; empty PRELOAD to rule
# that out too, at about 1 s per module.)
PRELOAD = ["flask", "sqlalchemy", "sqlalchemy.orm", "flask_sqlalchemy", "flask_migrate", "flask_babel",
           "flask_wtf", "wtforms", "flask_login", "flask_mail", "icalendar"]
IMPORT_EACH_ALONE = """
import json, os, sys, traceback

for library in json.loads(sys.argv[1]):
    __import__(library)
ours = [m for m in sys.modules if m.split(".")[0] in ("app", "config", "wsgi", "tests")]
assert not ours, f"preloading imported the app's own modules: {ours}"

errors = {}
for name in sys.argv[2:]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: import one module, report the error's last line, exit at once
        os.close(read_end)
        try:
            __import__(name)
            message = ""
        except BaseException:
            message = traceback.format_exc().strip().splitlines()[-1]
        os.write(write_end, message.encode())
        os._exit(1 if message else 0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        message = pipe.read().decode()
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if code != 0:
        errors[name] = message or f"the interpreter exited with {code}"
print(json.dumps(errors))
"""


def test_every_app_module_imports_on_its_own():
    modules = app_modules()
    result = run(["-c", IMPORT_EACH_ALONE, json.dumps(PRELOAD), *modules], clean_environment(), timeout=300)
    assert result.returncode == 0, f"the import check itself failed:\n{tail(result)}"
    failures = json.loads(result.stdout.strip().splitlines()[-1])
    if failures:
        pytest.fail(f"{len(failures)} of {len(modules)} modules cannot be imported on their own:\n"
                    + "\n".join(f"  {name}: {error}" for name, error in failures.items()), pytrace=False)
