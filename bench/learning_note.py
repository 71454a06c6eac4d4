"""The learning note under load: generation and PDF rendering for an event with 500 captured entries
(the goal: the PDF in under 2 s on the team's machine), and the note's page served by gunicorn, in
requests per second as a share of a bare Flask route (needs wrk, as bench/public_pages.sh).

    .venv/bin/python bench/learning_note.py                       # 500 entries, SQLite in a temporary folder
    .venv/bin/python bench/learning_note.py --entries 1000 --rounds 5 --seconds 10
    .venv/bin/python bench/learning_note.py --no-serve            # timings only, no gunicorn nor wrk

Prints the median and the best of `--rounds` runs for each step: generating the captured parts,
freezing a version, the print HTML, the PDF (in this process, and in the bounded child process the
site uses), the Word document.
"""

import argparse
import os
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))



def _vocabulary(text: str) -> list[str]:
    return text.split()


WORDS = _vocabulary("coordination reception newcomers services data institutions city metropolis associations "
                    "housing language courses social workers one-stop shop funding national regional local "
                    "partnership trust mediation rights consent protection evaluation volunteers mapping exchange")
MOTS = _vocabulary("coordination accueil nouveaux arrivants services données institutions ville métropole "
                   "associations logement cours de langue travailleurs sociaux guichet unique financement national "
                   "régional local partenariat confiance médiation droits consentement protection évaluation "
                   "bénévoles cartographie échange")


def sentence(words, rng, length) -> str:
    text = " ".join(rng.choice(words) for _ in range(length))
    return text[0].upper() + text[1:] + "."


def build_event(entries: int):
    """A finished event with `entries` captured entries, as a big meeting leaves them: 16 % challenges,
    8 % opportunities, 12 % local solutions, 16 % field-visit observations and 48 % recommendations, a
    sixth of which were kept as final (the others merged, set aside or left as drafts); 60 participants
    who voted; the written parts filled in. Returns the Event and an administrator."""
    import random

    from app.auth.models import Role, User
    from app.capture.models import (
        ActorLevel,
        CaptureSettings,
        Dot,
        Endorsement,
        Entry,
        EntryKind,
        EntrySdg,
        entry_policy_areas,
    )
    from app.events.models import City, Event, EventState, PolicyArea
    from app.extensions import db
    from app.learning_note import services
    from app.learning_note.models import NARRATIVE_FIELDS
    from app.registration.models import AttendanceMode, Registration, RegistrationStatus

    rng = random.Random(2017)  # noqa: S311 (reproducible test data)
    cities = list(db.session.scalars(db.select(City).order_by(City.id)))
    areas = list(db.session.scalars(db.select(PolicyArea).order_by(PolicyArea.id)))
    host = next(c for c in cities if c.name_en == "Lyon")
    event = Event(slug="bench-learning-note", theme_en="Inter-institutional coordination, at scale",
                  theme_fr="La coordination inter-institutionnelle, à grande échelle", host_city=host,
                  start_date=date(2025, 3, 12), end_date=date(2025, 3, 13), state=EventState.FINISHED)
    db.session.add(event)
    db.session.flush()
    now = datetime(2025, 3, 13, 16, tzinfo=UTC)
    people = []
    for number in range(60):
        city = rng.choice(cities)
        people.append(Registration(
            event_id=event.id, email=f"bench{number}@example.org", name=f"Participant {number}",
            organisation=f"{city.name_en} city council", city=city.name_en, country_code=city.country_code,
            attendance=AttendanceMode.ONLINE if number % 4 == 0 else AttendanceMode.IN_PERSON,
            consent_processing_at=now, consent_public_list=number % 3 == 0, status=RegistrationStatus.CONFIRMED,
            token_version=secrets.token_hex(16)))
    db.session.add_all(people)
    db.session.flush()
    kinds = ([EntryKind.CHALLENGE] * 8 + [EntryKind.OPPORTUNITY] * 4 + [EntryKind.CASE] * 6
             + [EntryKind.OBSERVATION] * 8 + [EntryKind.RECOMMENDATION] * 24)
    recommendations = []
    for number in range(entries):
        kind = kinds[number % len(kinds)]
        length = rng.randint(18, 45)
        entry = Entry(event_id=event.id, kind=kind, client_key=f"bench-{number}", language="en",
                      text_en=sentence(WORDS, rng, length), text_fr=sentence(MOTS, rng, length) if number % 9 else "",
                      created_at=now, updated_at=now)
        if kind is EntryKind.CASE:
            city = rng.choice(cities)
            entry.title_en, entry.title_fr = sentence(WORDS, rng, 5), sentence(MOTS, rng, 5)
            entry.city_id, entry.organisation = city.id, f"{city.name_en} city council"
        elif kind is EntryKind.OBSERVATION:
            entry.visit_label = f"Study visit {number % 3 + 1}"
        elif kind is EntryKind.RECOMMENDATION:
            entry.final_at = now if number % 6 == 0 else None
            entry.actor_level = rng.choice(list(ActorLevel))
            entry.actor = "City services with national ministries"
        db.session.add(entry)
        if kind is EntryKind.RECOMMENDATION:
            recommendations.append(entry)
    db.session.flush()
    for entry in recommendations:
        for area in rng.sample(areas, 2):
            db.session.execute(entry_policy_areas.insert().values(entry_id=entry.id, policy_area_id=area.id))
        for position, code in enumerate(rng.sample(["16.6", "16.7", "10.7", "11.1", "10.2", "17.17"], 2)):
            db.session.add(EntrySdg(entry_id=entry.id, code=code, goal=int(code.split(".")[0]), position=position))
    for person in people:
        for rec in rng.sample(recommendations, 5):
            db.session.add(Dot(recommendation_id=rec.id, registration_id=person.id, created_at=now))
        for rec in rng.sample(recommendations, 3):
            db.session.add(Endorsement(recommendation_id=rec.id, registration_id=person.id, created_at=now))
    db.session.add(CaptureSettings(event_id=event.id, results_revealed=True, closed_at=now, revision=1,
                                   updated_at=now))
    organiser = User(email="bench.organiser@example.org", name="Bench Organiser", role=Role.ADMIN,
                     password_hash="-")
    db.session.add(organiser)
    db.session.flush()
    services.generate(organiser, event)
    note = services.note_for(event)
    values = {name: "\n\n".join(sentence(WORDS if name.endswith("_en") else MOTS, rng, 60) for _ in range(3))
              for name in NARRATIVE_FIELDS}
    services.save_narrative(organiser, event, services.NarrativeInput(values, note.edit_version))
    db.session.commit()
    return event, organiser


def _cpu() -> float:
    """CPU seconds used by this process and its finished children (the PDF is rendered in one): on a
    machine others share, a steadier measure than the wall clock."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(label: str, rounds: int, call, results: dict):
    times, cpu = [], []
    value = None
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), _cpu()
        value = call()
        times.append(time.perf_counter() - started)
        cpu.append(_cpu() - started_cpu)
    results[label] = (statistics.median(times), min(times))
    print(f"  {label:42} median {statistics.median(times):6.3f} s   best {min(times):6.3f} s   "
          f"CPU {statistics.median(cpu):6.3f} s", flush=True)
    return value


def measure(url: str, entries: int, rounds: int) -> str:
    from app import create_app
    from app.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "PAGE_CACHE": True})
    with app.app_context():
        from flask_migrate import upgrade

        from app.events.seed import seed_all
        from app.learning_note import content, render, services
        from app.learning_note.queries import note_of
        from app.learning_note.word import build_docx
        from app.pdf import render_pdf, render_pdf_bounded

        upgrade()
        seed_all(with_demo_accounts=False)
        db.session.commit()
        event, organiser = build_event(entries)
        results: dict = {}
        print(f"An event with {entries} captured entries "
              f"({len(content.build_captured(event)['recommendations'])} final recommendations):")
        timed("generate the captured parts", rounds, lambda: services.generate(organiser, event), results)
        db.session.commit()
        note = note_of(event)
        version = timed("freeze and publish a version", 1, lambda: services.publish(
            organiser, event, services.PublishInput(note.edit_version, note.generation, confirm_untranslated=True),
            announce=False), results)
        db.session.commit()
        with app.test_request_context():
            view = render.version_view(event, version, "fr")
            html = timed("print HTML (French)", rounds, lambda: render.print_html(view, "https://example.org/n"),
                         results)
            pdf = timed("PDF, in this process", rounds, lambda: render_pdf(html, app.static_folder), results)
            timed("PDF, bounded child process (as served)", rounds, lambda: render_pdf_bounded(html), results)
            docx = timed("Word document", rounds, lambda: build_docx(view, "https://example.org/n"), results)
        import io

        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(f"  PDF: {pages} pages, {len(pdf) / 1024:.0f} kB; Word document: {len(docx) / 1024:.0f} kB")
        print(f"  machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        best = results["PDF, bounded child process (as served)"][0]
        print(f"  goal: the PDF in under 2 s: {'met' if best < 2 else 'NOT met'} ({best:.2f} s median)")
        lyon = _lyon_note()
        if lyon is not None:
            lyon_event, lyon_version = lyon
            with app.test_request_context():
                lyon_html = render.print_html(render.version_view(lyon_event, lyon_version, "fr"), "https://x.org/n")
                print("The Lyon 2017 demo note (a typical event: 22 entries, 6 final recommendations):")
                lyon_pdf = timed("PDF, bounded child process (as served)", rounds,
                                 lambda: render_pdf_bounded(lyon_html), results)
            print(f"  PDF: {len(PdfReader(io.BytesIO(lyon_pdf)).pages)} pages")
        return event.slug


def _lyon_note():
    from sqlalchemy import select

    from app.events.models import Event
    from app.extensions import db
    from app.learning_note.models import NoteVersion

    version = db.session.scalar(select(NoteVersion).order_by(NoteVersion.number.desc()).where(
        NoteVersion.event_id.in_(select(Event.id).where(Event.slug != "bench-learning-note"))).limit(1))
    return (db.session.get(Event, version.event_id), version) if version is not None else None


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_and_compare(url: str, slug: str, seconds: int, connections: int) -> None:
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not installed (apt-get install wrk): page rates skipped")
        return
    port = os.environ.get("PORT") or str(_free_port())  # others' benches share the machine
    workers = os.environ.get("WORKERS", str(os.cpu_count() or 2))
    env = dict(os.environ, APP_ENV="production", SECRET_KEY=secrets.token_hex(32), DATABASE_URL=url,
               SESSION_COOKIE_SECURE="false", PUBLIC_URL=f"http://127.0.0.1:{port}")
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "--workers", workers, "--bind", f"127.0.0.1:{port}",
                               "bench.bench_app:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        import urllib.request

        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 (our own local server)
                break
            except OSError:
                time.sleep(0.2)
        pages = ["/bench/bare", f"/events/{slug}/learning-note?lang=en", f"/events/{slug}/learning-note?lang=fr",
                 f"/events/{slug}/learning-note.pdf?lang=fr"]
        rates = {}
        for path in pages:
            urllib.request.urlopen(base + path, timeout=60).read()  # noqa: S310 (renders and keeps the PDF once)
            subprocess.run([wrk, "-t2", f"-c{connections}", "-d2s", base + path], capture_output=True, check=False)
            out = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{seconds}s", base + path],
                                 capture_output=True, text=True, check=False).stdout
            rates[path] = float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))
        bare = rates["/bench/bare"]
        print(f"\n{'page':60} {'req/s':>9} {'of bare':>8}")
        for path, rate in rates.items():
            print(f"{path:60} {rate:9.0f} {100 * rate / bare:7.1f}%")
        print(f"gunicorn workers: {workers}, wrk connections: {connections}, {seconds}s per page")
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-serve", action="store_true", help="timings only")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-note-"))
    try:
        url = f"sqlite:///{folder / 'bench.sqlite'}"
        slug = measure(url, args.entries, args.rounds)
        if not args.no_serve:
            serve_and_compare(url, slug, args.seconds, args.connections)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
