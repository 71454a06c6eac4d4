"""`make bench`: the app at network scale, every page and write path beside a bare Flask route (issue 14).

1. Builds a fresh database (PostgreSQL by default, the production shape; `--database-url sqlite:///…`
   for the embedded one) with the migrations and `flask seed-demo --scale` (20 finished and 4
   upcoming events, 3,000 registrations, 2,000 captured entries with votes, 20 published notes).
2. Serves it with gunicorn (`--workers`, 4) as production does (bench/bench_app.py: the app plus
   `/bench/bare`, a route that returns "ok", on the same server and settings).
3. Pages, with wrk (`--connections` 16, `--seconds` per page): requests per second, p50 and p99 of
   every public page, with and without a conditional request where the page offers one, as a share
   of the bare route's rate (measured before and after the pages, the mean of both).
4. Memory: the peak RSS (VmHWM) of each gunicorn worker once every page has been served.
5. The note's PDF for the largest event: the time of the first request in each language (rendered,
   not cached).
6. Write paths (PostgreSQL; skipped on SQLite, whose one writer at a time is not the production
   shape): registration POST (wrk, a new email and a new client address each time), field-visit
   sign-up and priority vote (16 threads; each participant once, each participant's five dots),
   then checks that nothing was overbooked: seats, visit places, dots.
7. Mail: bench/mail_throughput.py with one worker and with two, on the same database server.

Writes bench/RESULTS.md (the machine, the date, the database, the command, the tables) unless
`--no-write`. Benchmarks are not tests: nothing here fails on a number.

    .venv/bin/python bench/run.py                      # what `make bench` runs
    .venv/bin/python bench/run.py --seconds 3 --scale 0.2 --no-write
"""

import argparse
import http.client
import os
import platform
import queue
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/mc2cm_bench"


# --- The database and the server -----------------------------------------------------------------


def fresh_database(url: str, folder: Path) -> str:
    if url.startswith("sqlite"):
        return f"sqlite:///{folder / 'bench.sqlite'}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from config import normalise_database_url

    url = normalise_database_url(url)
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(url: str, port: int) -> dict:
    return {**os.environ, "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "FLASK_APP": "wsgi.py",
            "DATABASE_URL": url, "SESSION_COOKIE_SECURE": "false", "PUBLIC_URL": f"http://127.0.0.1:{port}",
            # Behind a proxy, as in production: each benchmark client says which address it is, so that
            # the registration form's limit per address counts them apart, as it would real people.
            "PROXY_COUNT": "1", "TRUSTED_PROXIES": "127.0.0.1"}


def prepare(env: dict, scale: float) -> float:
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    began = time.perf_counter()
    subprocess.run([str(BIN / "flask"), "seed-demo", "--scale", str(scale)], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    return time.perf_counter() - began


def serve(env: dict, port: int, workers: int, folder: Path) -> subprocess.Popen:
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                               "--error-logfile", str(folder / "gunicorn.log"), "bench.bench_app:app"],
                              cwd=ROOT, env=env)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start: see " + str(folder / "gunicorn.log"))


def worker_peaks(server: subprocess.Popen) -> list[int]:
    """Peak resident memory (kB) of each gunicorn worker, from /proc."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)))
    return peaks


# --- What to measure ----------------------------------------------------------------------------


def targets(env: dict) -> dict:
    """The events, people and entries the benchmark uses, read from the seeded database."""
    os.environ.update(env)
    from sqlalchemy import func, select

    from app import create_app
    from app.capture.models import Entry, EntryKind
    from app.events.models import City, Event, EventState
    from app.extensions import db
    from app.field_visit.models import FieldVisit, VisitSignup
    from app.registration.models import Registration, RegistrationStatus
    from app.registration.tokens import make_token

    app = create_app()
    with app.app_context():
        scale_events = select(Event).where(Event.summary_en.like("Two days in % on one question%"))
        finished = db.session.scalars(scale_events.where(Event.state == EventState.FINISHED)).all()
        upcoming = db.session.scalars(scale_events.where(Event.state == EventState.OPEN)
                                      .order_by(Event.start_date)).all()
        entries = dict(db.session.execute(select(Entry.event_id, func.count(Entry.id)).group_by(Entry.event_id))
                       .tuples().all())
        largest = max(finished, key=lambda event: entries.get(event.id, 0))
        live = upcoming[0]
        city = db.session.get(City, largest.host_city_id)
        people = db.session.scalars(select(Registration).where(
            Registration.event_id == live.id, Registration.status == RegistrationStatus.CONFIRMED)
            .order_by(Registration.id)).all()
        recommendations = list(db.session.scalars(select(Entry.id).where(
            Entry.event_id == live.id, Entry.kind == EntryKind.RECOMMENDATION).order_by(Entry.id)))
        signups = []
        for event in upcoming:
            visit = db.session.scalar(select(FieldVisit).where(FieldVisit.event_id == event.id))
            signed = set(db.session.scalars(select(VisitSignup.registration_id)
                                            .where(VisitSignup.visit_id == visit.id)))
            signups += [(make_token(r), visit.id) for r in db.session.scalars(
                select(Registration).where(Registration.event_id == event.id,
                                           Registration.status == RegistrationStatus.CONFIRMED)
                .order_by(Registration.id)) if r.id not in signed]
        return {
            "largest": largest.slug, "largest_entries": entries.get(largest.id, 0), "live": live.slug,
            "live_id": live.id, "city": city.slug, "participant": make_token(people[0]),
            "votes": [(make_token(person), recommendations[(n + k) % len(recommendations)])
                      for n, person in enumerate(people) for k in range(5)],
            "signups": signups, "upcoming_ids": [e.id for e in upcoming],
            "events": len(finished) + len(upcoming),
        }


def pages(t: dict) -> list[tuple[str, str]]:
    live, past = f"/events/{t['live']}", f"/events/{t['largest']}"
    return [
        ("home", "/?lang=en"), ("home (fr)", "/?lang=fr"),
        ("event hub", f"{live}/?lang=en"), ("agenda", f"{live}/agenda?lang=fr"),
        ("background", f"{live}/background?lang=en"), ("field visit", f"{live}/field-visit?lang=fr"),
        ("registration form", f"{live}/register?lang=en"), ("participant's page", f"/r/{t['participant']}?lang=en"),
        ("recommendations (live)", f"{live}/recommendations?lang=en"),
        ("recommendations (past)", f"{past}/recommendations?lang=fr"),
        ("big screen", f"{live}/recommendations/screen?lang=en"),
        ("big screen board", f"{live}/recommendations/screen/board?lang=en"),
        ("learning note", f"{past}/learning-note?lang=fr"), ("learning note PDF", f"{past}/learning-note.pdf?lang=fr"),
        ("library", "/library?lang=en"), ("library search", "/library?q=coordination&lang=fr"),
        ("city page", f"/cities/{t['city']}?lang=en"), ("SDG page", "/library/sdgs/10?lang=en"),
        ("network feed", "/calendar.ics"), ("event feed", f"{live}/calendar.ics"),
        ("participant's feed", f"/r/{t['participant']}/calendar.ics"), ("notes feed", "/library/notes.atom"),
    ]


CONDITIONAL = ("recommendations (live)", "big screen board", "event hub", "learning note")


# --- Load: wrk for pages and the registration POST, threads for the limited write paths ------------


def wrk(url: str, seconds: int, connections: int, headers: dict | None = None, script: Path | None = None,
        warm_up: bool = True) -> dict:
    extra = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    if script is not None:
        extra += ["-s", str(script)]
    threads = str(min(2, connections))
    program = shutil.which("wrk")
    if warm_up:
        subprocess.run([program, "-t", threads, "-c", str(connections), "-d2s", "--timeout", "30s", *extra, url],
                       capture_output=True)
    out = subprocess.run([program, "-t", threads, "-c", str(connections), f"-d{seconds}s", "--timeout", "30s",
                          "--latency", *extra, url], capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {share: _ms(re.search(rf"^\s+{share}%\s+(\S+)", out, re.M).group(1)) for share in ("50", "99")}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rate": rate, "p50": latency["50"], "p99": latency["99"], "errors": int(errors.group(1)) if errors else 0,
            "requests": requests}


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


class Client:
    """One keep-alive connection with its cookies (what a browser keeps)."""

    def __init__(self, port: int, address: str):
        self.port, self.address = port, address
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        headers = {"X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        payload = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, payload

    def csrf(self, path: str) -> str:
        page = self.request("GET", path)[1]
        return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()


def session_for(port: int, form_path: str, address: str) -> tuple[str, str]:
    client = Client(port, address)
    token = client.csrf(form_path)
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items()), token


def threaded(port: int, work: list, clients: int, form_path: str, send) -> dict:
    """`clients` threads share the work; each has its own connection and session. Returns the rate,
    p50 and p99 (ms) and the statuses."""
    jobs: queue.Queue = queue.Queue()
    for item in work:
        jobs.put(item)
    times: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def run(number: int) -> None:
        client = Client(port, f"10.1.{number}.1")
        token = client.csrf(form_path)
        while True:
            try:
                item = jobs.get_nowait()
            except queue.Empty:
                return
            began = time.perf_counter()
            status = send(client, token, item)
            with lock:
                times.append((time.perf_counter() - began) * 1000)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    times.sort()
    return {"rate": len(times) / elapsed, "p50": times[len(times) // 2] if times else 0,
            "p99": times[min(len(times) - 1, int(len(times) * 0.99))] if times else 0, "requests": len(times),
            "statuses": statuses}


REGISTER_SCRIPT = """
local counter = 0
local thread_id = 0
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end
request = function()
  counter = counter + 1
  local n = thread_id * 1000000 + counter
  local body = "csrf_token=%(token)s&name=Bench%%20Participant%%20" .. n ..
    "&email=bench." .. n .. "@example.org&organisation=City&position=Officer&city=Lyon&country_code=FR" ..
    "&preferred_language=" .. ((n %% 2 == 0) and "fr" or "en") .. "&attendance=in_person&consent_processing=y"
  local headers = {}
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Cookie"] = "%(cookie)s"
  headers["X-Forwarded-For"] = "10." .. (thread_id %% 250) .. "." .. math.floor(counter / 250) %% 250 ..
    "." .. (counter %% 250)
  return wrk.format("POST", "%(path)s", headers, body)
end
"""


def overbooking(env: dict, t: dict) -> dict:
    """What the write paths left: seats, visit places and dots never beyond what there is."""
    os.environ.update(env)
    from sqlalchemy import func, select

    from app import create_app
    from app.capture.models import Dot, DotBudget, Entry
    from app.events.models import Event
    from app.extensions import db
    from app.field_visit.models import PLACE_HOLDING, FieldVisit, VisitPlaces, VisitSignup
    from app.registration.models import SEAT_HOLDING, Registration, RegistrationStatus, SeatPool

    app = create_app()
    found = {"seats": [], "places": [], "dots": []}
    with app.app_context():
        for event_id in t["upcoming_ids"]:
            event = db.session.get(Event, event_id)
            held = db.session.scalar(select(func.count(Registration.id)).where(
                Registration.event_id == event_id, Registration.status.in_(SEAT_HOLDING)))
            taken = db.session.scalar(select(func.sum(SeatPool.taken)).where(SeatPool.event_id == event_id))
            waiting = db.session.scalar(select(func.count(Registration.id)).where(
                Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED))
            found["seats"].append((event.slug, event.capacity, held, taken, waiting))
            visit = db.session.scalar(select(FieldVisit).where(FieldVisit.event_id == event_id))
            holding = db.session.scalar(select(func.count(VisitSignup.id)).where(
                VisitSignup.visit_id == visit.id, VisitSignup.status.in_(PLACE_HOLDING)))
            counter = db.session.scalar(select(VisitPlaces.taken).where(VisitPlaces.visit_id == visit.id))
            found["places"].append((event.slug, visit.places, holding, counter))
        per_person = db.session.execute(
            select(Dot.registration_id, func.count(Dot.id)).join(Entry, Entry.id == Dot.recommendation_id)
            .where(Entry.event_id == t["live_id"]).group_by(Dot.registration_id)).tuples().all()
        spent = dict(db.session.execute(select(DotBudget.registration_id, DotBudget.spent)
                                        .where(DotBudget.event_id == t["live_id"])).tuples().all())
        found["dots"] = [(count, spent.get(registration_id)) for registration_id, count in per_person]
    overbooked = ([s for s in found["seats"] if s[2] > s[1] or s[2] != s[3]]
                  + [p for p in found["places"] if p[2] > p[1] or p[2] != p[3]]
                  + [d for d in found["dots"] if d[0] > 5 or d[0] != d[1]])
    return {**found, "overbooked": overbooked}


# --- The run ------------------------------------------------------------------------------------


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024
    return f"{os.cpu_count()} cores ({cpu}), {memory} MB, {platform.system()} {platform.release()}"


def database_version(env: dict) -> str:
    os.environ.update(env)
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(env["DATABASE_URL"]))
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            version = connection.execute(text("SHOW server_version")).scalar()
            return f"PostgreSQL {version}"
        return f"SQLite {connection.execute(text('select sqlite_version()')).scalar()}"


def mail(url: str, workers: int, count: int, folder: Path) -> str:
    """bench/mail_throughput.py, which wants an empty database of its own on the same server."""
    from sqlalchemy.engine import make_url

    from config import normalise_database_url

    target = make_url(normalise_database_url(url))
    url = fresh_database(target.set(database=f"{target.database}_mail").render_as_string(hide_password=False), folder)
    out = subprocess.run([str(BIN / "python"), "bench/mail_throughput.py", "--count", str(count), "--workers",
                          str(workers), "--database-url", url], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip() or out.stderr.strip()[-2000:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE),
                        help="a PostgreSQL database the run may drop and create again, or sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seconds", type=int, default=5, help="per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--mail-count", type=int, default=1000)
    parser.add_argument("--no-write", action="store_true", help="print the results, leave bench/RESULTS.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install wrk)")
    folder = Path(tempfile.mkdtemp(prefix="bench-run-"))
    port = free_port()
    url = fresh_database(args.database_url, folder)
    env = server_env(url, port)
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    lines: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    seeding = prepare(env, args.scale)
    t = targets(env)
    server = serve(env, port, args.workers, folder)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict] = {}
    try:
        pdf_first = {}  # before anything asked for it: rendered, then kept
        for language in ("en", "fr"):
            began = time.perf_counter()
            urllib.request.urlopen(f"{base}/events/{t['largest']}/learning-note.pdf?lang={language}",  # noqa: S310
                                   timeout=120).read()
            pdf_first[language] = time.perf_counter() - began
        for _label, path in pages(t):  # every page rendered once before it is measured
            urllib.request.urlopen(base + path, timeout=120).read()  # noqa: S310 (our local server)
        bare_before = wrk(base + "/bench/bare", args.seconds, args.connections)
        for label, path in pages(t):
            results[label] = wrk(base + path, args.seconds, args.connections)
            if label in CONDITIONAL:
                response = urllib.request.urlopen(base + path, timeout=60)  # noqa: S310
                etag = response.headers.get("ETag")
                if etag:
                    results[f"{label}, conditional (304)"] = wrk(base + path, args.seconds, args.connections,
                                                                 {"If-None-Match": etag})
        bare_after = wrk(base + "/bench/bare", args.seconds, args.connections)
        peaks = worker_peaks(server)
        bare = (bare_before["rate"] + bare_after["rate"]) / 2
        writes: dict[str, dict] = {}
        checks = None
        if url.startswith("postgres"):
            register_path = f"/events/{t['live']}/register"
            cookie, token = session_for(port, register_path + "?lang=en", "10.0.0.1")
            script = folder / "register.lua"
            script.write_text(REGISTER_SCRIPT % {"token": token, "cookie": cookie, "path": register_path})
            writes["registration POST"] = wrk(base + register_path, args.seconds, args.connections, script=script,
                                              warm_up=False)

            def sign_up(client: Client, csrf: str, item) -> int:
                participant, visit_id = item
                return client.request("POST", f"/r/{participant}/field-visit/{visit_id}/sign-up",
                                      {"csrf_token": csrf})[0]

            def vote(client: Client, csrf: str, item) -> int:
                participant, entry_id = item
                return client.request("POST", f"/r/{participant}/recommendations/{entry_id}/dot",
                                      {"csrf_token": csrf})[0]

            writes["field-visit sign-up"] = threaded(port, t["signups"], args.connections, register_path, sign_up)
            writes["priority vote (a dot)"] = threaded(port, t["votes"], args.connections, register_path, vote)
            checks = overbooking(env, t)
            bare_writes = wrk(base + "/bench/bare", args.seconds, args.connections)
    finally:
        server.terminate()
        server.wait(30)
    mail_runs = {n: mail(url, n, args.mail_count, folder) for n in (1, 2)} if url.startswith("postgres") else {}

    command = "make bench  (" + " ".join(["bench/run.py", *sys.argv[1:]]) + ")"
    say("# Benchmark results (issue 14)")
    say()
    say(f"- Date: {started:%Y-%m-%d %H:%M} UTC; machine: {machine()}; load average before the run "
        f"{load_before[0]:.1f}, after {os.getloadavg()[0]:.1f} (the machine is shared: other people's tests "
        "and servers ran during the measurement, so the figures are lower and noisier than on an idle machine).")
    say(f"- Database: {database_version(env)}; data: `flask seed-demo --scale {args.scale:g}` ({t['events']} "
        f"network events besides the reference ones, seeded in {seeding:.0f} s).")
    say(f"- Server: gunicorn, {args.workers} sync workers, APP_ENV=production; load: wrk, {min(2, args.connections)} "
        f"threads, {args.connections} connections, {args.seconds} s per page after a 2 s warm-up, on the same "
        "machine (wrk takes CPU from the server).")
    say(f"- Command: `{command}`")
    say()
    say(f"Bare Flask route: {bare_before['rate']:.0f} req/s before the pages, {bare_after['rate']:.0f} after; "
        f"shares below are of their mean, {bare:.0f} req/s.")
    say()
    say("| page | req/s | of bare | p50 ms | p99 ms | errors |")
    say("|---|---:|---:|---:|---:|---:|")
    for label, r in results.items():
        say(f"| {label} | {r['rate']:.0f} | {100 * r['rate'] / bare:.1f} % | {r['p50']:.1f} | {r['p99']:.1f} | "
            f"{r['errors']} |")
    say()
    say(f"Peak RSS of the {len(peaks)} workers after serving every page: "
        + ", ".join(f"{peak / 1024:.0f} MB" for peak in peaks) + f" (goal: under 120 MB; "
        f"{'met' if max(peaks) < 120 * 1024 else 'NOT met'}).")
    say()
    say(f"Learning note PDF of the largest event ({t['largest_entries']} captured entries), first request, "
        "rendered and not cached: "
        + ", ".join(f"{language} {seconds:.2f} s" for language, seconds in pdf_first.items())
        + f" (goal: under 2 s; {'met' if max(pdf_first.values()) < 2 else 'NOT met'}).")
    if writes:
        say()
        say(f"Write paths on PostgreSQL, {args.connections} concurrent clients; the bare route measured right after: "
            f"{bare_writes['rate']:.0f} req/s (shares are of the mean of the three bare runs).")
        bare_all = (bare_before["rate"] + bare_after["rate"] + bare_writes["rate"]) / 3
        say()
        say("| write path | requests | req/s | of bare | p50 ms | p99 ms | outcome |")
        say("|---|---:|---:|---:|---:|---:|---|")
        for label, r in writes.items():
            outcome = (", ".join(f"{status}: {n}" for status, n in sorted(r["statuses"].items()))
                       if "statuses" in r else f"non-2xx/3xx: {r['errors']}")
            say(f"| {label} | {r['requests']} | {r['rate']:.0f} | {100 * r['rate'] / bare_all:.2f} % | "
                f"{r['p50']:.1f} | {r['p99']:.1f} | {outcome} |")
        say()
        say("Overbooking check after the write paths: " + ("none" if not checks["overbooked"] else
                                                            f"FOUND {checks['overbooked']}") + ".")
        for slug, capacity, held, taken, waiting in checks["seats"]:
            say(f"- {slug}: {held} seats held of {capacity} (counter {taken}), {waiting} on the waiting list")
        for slug, places, holding, counter in checks["places"]:
            say(f"- {slug} field visit: {holding} places held of {places} (counter {counter})")
        most = max((given for given, _spent in checks["dots"]), default=0)
        say(f"- dots: {len(checks['dots'])} participants voted, at most {most} dots each (allowance 5), every budget "
            "equal to the dots given")
    for workers, output in mail_runs.items():
        say()
        say(f"Mail, {workers} worker{'s' if workers > 1 else ''} (bench/mail_throughput.py --workers {workers}):")
        say()
        say("```")
        say(output)
        say("```")
    if not args.no_write:
        results_file = ROOT / "bench" / "RESULTS.md"
        previous = results_file.read_text() if results_file.exists() else ""
        notes = previous.split("<!-- analysis -->", 1)[1] if "<!-- analysis -->" in previous else "\n"
        results_file.write_text("\n".join(lines) + "\n\n<!-- analysis -->" + notes)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
