"""The big screen under load: phones polling it while facilitators write (not a timed test).

Serves the app with gunicorn as production does (APP_ENV=production, SQLite in a temporary folder
unless BENCH_DATABASE_URL is set), seeds the demo data, signs in 10 facilitators of the demo event,
then measures, with clients on the same machine:

1. the bare Flask route (`/bench/bare`), as fast as the clients go: the ceiling;
2. the screen's board polled conditionally (If-None-Match, as the screen's script does), as fast as
   the clients go, while the facilitators write: requests per second, 304s included, and their
   share of the bare route;
3. the room as it is: 60 phones each polling the board every 5 s while the 10 facilitators write,
   with the latency of each poll.

Usage: .venv/bin/python bench/capture_screen.py [--seconds 10] [--clients 16] [--write-every 3]
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DEMO_SLUG = "inclusive-access-to-housing-turin"
PASSWORD = secrets.token_urlsafe(12)  # the bench accounts live in a temporary database

MAKE_FACILITATORS = """
from app import create_app
from app.auth.models import Role, User
from app.events.models import Event, FacilitatorAssignment
from app.extensions import db
app = create_app()
with app.app_context():
    event = db.session.scalar(db.select(Event).where(Event.slug == %(slug)r))
    organiser = User(email="bench-organiser@example.org", name="Organiser", role=Role.ORGANISER,
                     city_id=event.host_city_id)
    organiser.set_password(%(password)r)
    db.session.add(organiser)
    for n in range(%(count)d):
        user = User(email=f"bench{n}@example.org", name=f"Facilitator {n}", role=Role.FACILITATOR)
        user.set_password(%(password)r)
        db.session.add(user)
        db.session.flush()
        db.session.add(FacilitatorAssignment(event_id=event.id, user_id=user.id))
    db.session.commit()
"""


class Client:
    """One keep-alive connection, with the cookies the server set."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), payload


def _csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()


def serve(workdir: Path, port: int, workers: int) -> tuple[subprocess.Popen, dict]:
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "FLASK_APP": "wsgi.py",
           "SESSION_COOKIE_SECURE": "false", "PUBLIC_URL": f"http://127.0.0.1:{port}",
           "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite'}")}
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([str(BIN / "flask"), "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([str(BIN / "python"), "-c", MAKE_FACILITATORS % {"slug": DEMO_SLUG, "count": 10,
                                                                   "password": PASSWORD}],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                               "--error-logfile", str(workdir / "gunicorn.log"),
                               # The server's own time per request (microseconds), apart from the clients'.
                               "--access-logfile", str(workdir / "access.log"),
                               "--access-logformat", '%(m)s %(U)s %(s)s %(D)s', "bench.bench_app:app"],
                              cwd=ROOT, env=env)
    for _ in range(100):
        try:
            if Client(port).request("GET", "/healthz")[0] == 200:
                return server, env
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def open_voting(port: int) -> None:
    """An organiser of the demo event opens voting and reveals the results: the board the room sees."""
    organiser = Client(port)
    login = organiser.request("GET", "/manage/login")[2]
    organiser.request("POST", "/manage/login", {"csrf_token": _csrf(login), "email": "bench-organiser@example.org",
                                                "password": PASSWORD})
    page = organiser.request("GET", f"/manage/events/{DEMO_SLUG}/capture/voting")[2]
    for name in ("voting", "results"):
        status = organiser.request("POST", f"/manage/events/{DEMO_SLUG}/capture/switch/{name}",
                                   {"csrf_token": _csrf(page), "value": "1"})[0]
        assert status == 302, status


def bare(port: int, seconds: float, clients: int) -> float:
    counts = [0] * clients
    deadline = time.monotonic() + seconds

    def run(index: int) -> None:
        client = Client(port)
        while time.monotonic() < deadline:
            client.request("GET", "/bench/bare")
            counts[index] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - start)


class Writers:
    """10 facilitators, each adding an entry every `every` seconds (JSON, as the console's script)."""

    def __init__(self, port: int, count: int, every: float):
        self.port, self.count, self.every = port, count, every
        self.stop = threading.Event()
        self.saved = 0
        self.failed = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(count)]

    def run(self, n: int) -> None:
        client = Client(self.port)
        login = client.request("GET", "/manage/login")[2]
        client.request("POST", "/manage/login", {"csrf_token": _csrf(login), "email": f"bench{n}@example.org",
                                                 "password": PASSWORD})
        token = _csrf(client.request("GET", f"/manage/events/{DEMO_SLUG}/capture")[2])
        kinds = ("challenge", "recommendation", "opportunity", "recommendation")
        number = 0
        while not self.stop.wait(self.every * (0.5 + (n % 5) / 5)):
            number += 1
            status, _headers, body = client.request(
                "POST", f"/manage/events/{DEMO_SLUG}/capture/entries",
                {"csrf_token": token, "kind": kinds[number % 4], "language": "en", "client_key": uuid.uuid4().hex,
                 "text": f"Entry {number} by facilitator {n}: keep one desk for every newcomer."},
                {"Accept": "application/json"})
            with self.lock:
                if status == 200 and json.loads(body).get("ok"):
                    self.saved += 1
                else:
                    self.failed += 1

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()


def poll_flat_out(port: int, seconds: float, clients: int) -> tuple[float, float, int]:
    path = f"/events/{DEMO_SLUG}/recommendations/screen/board"
    results = [[0, 0, 0] for _ in range(clients)]  # requests, 304s, errors
    deadline = time.monotonic() + seconds

    def run(index: int) -> None:
        client = Client(port)
        etag = None
        while time.monotonic() < deadline:
            status, headers, _body = client.request("GET", path, headers={"If-None-Match": etag} if etag else {})
            results[index][0] += 1
            if status == 304:
                results[index][1] += 1
            elif status == 200:
                etag = headers.get("ETag")
            else:
                results[index][2] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    total = sum(r[0] for r in results)
    return total / elapsed, sum(r[1] for r in results) / max(total, 1), sum(r[2] for r in results)


def server_times(workdir: Path, since: int) -> dict[str, list[float]]:
    """Milliseconds the server spent per request, by kind, from the access log (lines after `since`)."""
    times: dict[str, list[float]] = {"board": [], "write": []}
    lines = (workdir / "access.log").read_text().splitlines()[since:]
    for line in lines:
        method, path, _status, micros = line.split()
        if path.endswith("/screen/board"):
            times["board"].append(int(micros) / 1000)
        elif method == "POST" and path.endswith("/capture/entries"):
            times["write"].append(int(micros) / 1000)
    return {kind: sorted(values) for kind, values in times.items()}


def _log_length(workdir: Path) -> int:
    path = workdir / "access.log"
    return len(path.read_text().splitlines()) if path.exists() else 0


def _p(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))] if values else float("nan")


def room(port: int, seconds: float, phones: int, every: float) -> dict:
    path = f"/events/{DEMO_SLUG}/recommendations/screen/board"
    latencies: list[float] = []
    counts = {"200": 0, "304": 0, "other": 0}
    lock = threading.Lock()
    stop = threading.Event()

    def phone(index: int) -> None:
        client = Client(port)
        etag = None
        stop.wait(every * index / phones)  # phones do not poll in step
        while not stop.is_set():
            began = time.monotonic()
            status, headers, _body = client.request("GET", path, headers={"If-None-Match": etag} if etag else {})
            took = time.monotonic() - began
            with lock:
                latencies.append(took)
                key = str(status) if status in (200, 304) else "other"
                counts[key] += 1
            if status == 200:
                etag = headers.get("ETag")
            stop.wait(max(0.0, every - took))

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(phones)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {"requests": len(latencies), "per_second": len(latencies) / seconds, **counts,
            "p50_ms": 1000 * statistics.median(latencies), "p95_ms": 1000 * latencies[int(0.95 * len(latencies))],
            "max_ms": 1000 * latencies[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--write-every", type=float, default=3.0, help="seconds between a facilitator's entries")
    parser.add_argument("--room-seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 0)), help="default: a free one")
    args = parser.parse_args()
    if not args.port:
        with socket.socket() as probe:  # other benches may be running on this machine
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    workdir = Path(tempfile.mkdtemp(prefix="capture-bench-"))
    server, env = serve(workdir, args.port, args.workers)
    try:
        open_voting(args.port)
        bare(args.port, 2, args.clients)  # warm up
        bare_rate = bare(args.port, args.seconds, args.clients)
        with Writers(args.port, 10, args.write_every) as writers:
            poll_flat_out(args.port, 2, args.clients)  # warm up
            rate, share_304, errors = poll_flat_out(args.port, args.seconds, args.clients)
            flat_writes = writers.saved
        since = _log_length(workdir)
        with Writers(args.port, 10, args.write_every) as writers:
            phones = room(args.port, args.room_seconds, 60, 5.0)
        time.sleep(1)  # the access log is written after each response
        spent = server_times(workdir, since)
        print(f"gunicorn workers: {args.workers}; clients: {args.clients} threads on the same machine; "
              f"database: {env['DATABASE_URL'].split(':', 1)[0]}")
        print(f"bare route:                          {bare_rate:8.0f} req/s")
        print(f"screen board, conditional, flat out: {rate:8.0f} req/s = {100 * rate / bare_rate:5.1f} % of bare "
              f"({100 * share_304:.0f} % answered 304; {errors} errors; {flat_writes} entries written meanwhile)")
        print(f"the room (60 phones every 5 s, 10 facilitators writing every ~{args.write_every:g} s, "
              f"{args.room_seconds:g} s): {phones['per_second']:.1f} req/s, {phones['304']} × 304, "
              f"{phones['200']} × 200, {phones['other']} other; latency p50 {phones['p50_ms']:.1f} ms, "
              f"p95 {phones['p95_ms']:.1f} ms, max {phones['max_ms']:.1f} ms; {writers.saved} entries saved, "
              f"{writers.failed} failed")
        print(f"  time in the server: board p50 {_p(spent['board'], .5):.1f} ms, p95 {_p(spent['board'], .95):.1f} ms, "
              f"max {_p(spent['board'], 1):.1f} ms; entry saved p50 {_p(spent['write'], .5):.1f} ms, "
              f"p95 {_p(spent['write'], .95):.1f} ms, max {_p(spent['write'], 1):.1f} ms")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
