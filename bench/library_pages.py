"""The network's library under load, as a share of the bare Flask route (not a timed test).

Serves the app with gunicorn as production does (APP_ENV=production, SQLite in a temporary folder
unless BENCH_DATABASE_URL is set), loads the demo data (`flask seed-demo`, with `--scale` where the
benchmark's data set is available), then grows the network to a large library: `--events` finished
events across the network's cities, each with `--per-event` final recommendations in both
languages, tagged with policy areas and SDG targets, half of them followed up, and registrations.
Then, with wrk, requests per second of:

- /bench/bare: the ceiling;
- /library browsing, /library with a search (and filters), a city page: the same URL again and
  again (what the page cache serves while the network is unchanged);
- the same pages fresh: a distinct URL each time (an unused argument), so that every request
  searches, renders and counts (a cache miss).

Usage: .venv/bin/python bench/library_pages.py [--events 200] [--per-event 20] [--seconds 8]
       [--connections 16] [--workers N]
"""

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"

GROW = r"""
import random
from datetime import UTC, date, datetime, timedelta
from sqlalchemy import insert, select
from app import create_app
from app.capture.models import CaptureSettings, Entry, EntryKind, EntrySdg, FollowUp, entry_policy_areas
from app.events.models import City, Event, EventFormat, EventState, PolicyArea
from app.extensions import db
from app.registration.models import Registration, RegistrationStatus

EVENTS, PER_EVENT = %(events)d, %(per_event)d
WORDS_EN = ["refugees", "housing", "one-stop shops", "language courses", "data sharing", "civil society",
            "employment", "social services", "urban planning", "participation", "health", "schools"]
WORDS_FR = ["réfugiés", "logement", "guichets uniques", "cours de langue", "partage de données", "société civile",
            "emploi", "services sociaux", "urbanisme", "participation", "santé", "écoles"]
SDGS = ["10.7", "16.6", "16.7", "11.1", "1.3", "4.7", "8.8", "17.17", "10.2", "5.5"]
rng = random.Random(13)
app = create_app()
with app.app_context():
    cities = list(db.session.scalars(select(City).where(City.kind == "city")))
    areas = [area.id for area in db.session.scalars(select(PolicyArea))]
    now = datetime.now(UTC)
    for number in range(EVENTS):
        host = cities[number %% len(cities)]
        start = date(2016, 1, 4) + timedelta(days=7 * number)
        event = Event(slug=f"bench-library-{number}", theme_en=f"Bench theme {number %% 9}",
                      theme_fr=f"Thème d'essai {number %% 9}", host_city_id=host.id, start_date=start,
                      end_date=start + timedelta(days=1), format=EventFormat.IN_PERSON, state=EventState.FINISHED,
                      created_at=now, updated_at=now)
        db.session.add(event)
        db.session.flush()
        final_at = datetime.combine(start + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        db.session.add(CaptureSettings(event_id=event.id, revision=1, closed_at=final_at, updated_at=final_at))
        rows = []
        for n in range(PER_EVENT):
            a, b = rng.randrange(len(WORDS_EN)), rng.randrange(len(WORDS_EN))
            rows.append(dict(event_id=event.id, kind=EntryKind.RECOMMENDATION, client_key=f"bench-{number}-{n}",
                             language="en", title_en="", title_fr="", translation_status="done",
                             text_en=f"Give {WORDS_EN[a]} and {WORDS_EN[b]} a place in every city plan, number {n}.",
                             text_fr=f"Donner aux {WORDS_FR[a]} et aux {WORDS_FR[b]} une place dans chaque plan, "
                                     f"n° {n}.",
                             city_other="", organisation="", slides_url="", pdf_filename="", visit_label="",
                             actor="City services", working_group="", version=1, final_at=final_at,
                             created_at=final_at, updated_at=final_at))
        ids = list(db.session.scalars(insert(Entry).returning(Entry.id, sort_by_parameter_order=True), rows))
        db.session.execute(insert(entry_policy_areas), [
            {"entry_id": entry_id, "policy_area_id": areas[(entry_id + k) %% len(areas)]}
            for entry_id in ids for k in range(2)])
        db.session.execute(insert(EntrySdg), [
            {"entry_id": entry_id, "code": code, "goal": int(code.split(".")[0]), "position": k}
            for entry_id in ids for k, code in enumerate(rng.sample(SDGS, 2))])
        db.session.execute(insert(FollowUp), [
            {"recommendation_id": entry_id, "city_id": cities[(entry_id + 3) %% len(cities)].id,
             "status": ("planned", "in_progress", "done", "dropped")[entry_id %% 4], "note": "Under way.",
             "noted_on": start + timedelta(days=200), "action_url": "", "updated_at": final_at}
            for entry_id in ids[::2]])
        db.session.execute(insert(Registration), [
            {"event_id": event.id, "email": f"p{(number * 15 + k) %% 2000}@example.org", "name": "Bench",
             "organisation": f"Organisation {k %% 40}", "position": "", "city": cities[k %% len(cities)].name_en,
             "country_code": cities[k %% len(cities)].country_code, "preferred_language": "en",
             "attendance": "in_person", "dietary_needs": "", "accessibility_needs": "", "consent_processing_at": now,
             "consent_public_list": False, "status": RegistrationStatus.CONFIRMED, "token_version": f"{number}-{k}",
             "created_at": now, "updated_at": now}
            for k in range(15)])
    db.session.commit()
    print(EVENTS * PER_EVENT, "recommendations")
"""

FRESH_LUA = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", wrk.path .. "&bench=" .. counter)
end
"""


def _env(workdir: Path, port: int) -> dict:
    return {**os.environ, "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "FLASK_APP": "wsgi.py",
            "SESSION_COOKIE_SECURE": "false", "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite'}")}


def prepare(workdir: Path, port: int, events: int, per_event: int) -> dict:
    env = _env(workdir, port)
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], **run)
    help_text = subprocess.run([str(BIN / "flask"), "seed-demo", "--help"], **run).stdout
    subprocess.run([str(BIN / "flask"), "seed-demo", *(["--scale"] if "--scale" in help_text else [])], **run)
    grown = subprocess.run([str(BIN / "python"), "-c", GROW % {"events": events, "per_event": per_event}], **run)
    print(grown.stdout.strip(), "added;", "benchmark data set (--scale): " +
          ("loaded" if "--scale" in help_text else "not on this branch, the library's own data only"))
    return env


def serve(workdir: Path, env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                               "--error-logfile", str(workdir / "gunicorn.log"), "bench.bench_app:app"],
                              cwd=ROOT, env=env)
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> float:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", *(["-s", str(script)] if script else []), url]
    subprocess.run([*args[:3], "-d2s", *args[4:]], capture_output=True, check=True)  # warm up
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} failed responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--per-event", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--port", type=int, default=5078)
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("needs wrk (apt-get install wrk)")
    workdir = Path(tempfile.mkdtemp(prefix="bench-library-"))
    server = None
    try:
        env = prepare(workdir, options.port, options.events, options.per_event)
        server = serve(workdir, env, options.port, options.workers)
        base = f"http://127.0.0.1:{options.port}"
        started = time.monotonic()
        with urllib.request.urlopen(f"{base}/library?lang=en", timeout=600) as response:  # noqa: S310 (ours, on 127.0.0.1)
            documents = re.search(r"([\d,]+) documents in the library", response.read().decode()).group(1)
        print(f"index built on the first request: {documents} documents in {time.monotonic() - started:.1f} s")
        script = workdir / "fresh.lua"
        script.write_text(FRESH_LUA)
        pages = [("bare route", "/bench/bare?lang=en", None),
                 ("/library (browsing)", "/library?lang=en", None),
                 ("/library search", "/library?q=refugees+housing&lang=en", None),
                 ("/library search + filters", "/library?q=r%C3%A9fugi%C3%A9s&area=welcome&sdg=16&lang=fr", None),
                 ("/cities/lyon", "/cities/lyon?lang=en", None),
                 ("/library (browsing), fresh", "/library?lang=en", script),
                 ("/library search, fresh", "/library?q=refugees+housing&lang=en", script),
                 ("/library search + filters, fresh", "/library?q=r%C3%A9fugi%C3%A9s&area=welcome&sdg=16&lang=fr",
                  script),
                 ("/cities/lyon, fresh", "/cities/lyon?lang=en", script)]
        rates = {label: wrk(base + path, options.seconds, options.connections, lua) for label, path, lua in pages}
        bare = rates["bare route"]
        print(f"{'page':40} {'req/s':>9} {'of bare':>8}")
        for label, rate in rates.items():
            print(f"{label:40} {rate:9.0f} {100 * rate / bare:7.1f}%")
        print(f"gunicorn workers: {options.workers}, wrk connections: {options.connections}, {options.seconds}s per "
              f"page, database: {env['DATABASE_URL'].split(':')[0]}, "
              f"{options.events} events of {options.per_event} final recommendations (fresh: a distinct URL each "
              "request, the page cache missed)")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
