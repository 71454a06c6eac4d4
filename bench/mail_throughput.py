"""How many bilingual invitations per second reach a local SMTP server.

Queues N messages (registration confirmed, English and French, with a METHOD:REQUEST invitation),
starts ../shared/validators/mail-sink, runs the delivery as `flask mail deliver` does, and waits with
mail-wait until the sink holds all of them. Prints the rate of each step.

    make bench-mail                       # 500 messages, SQLite in a temporary folder
    .venv/bin/python bench/mail_throughput.py --count 2000 --batch-size 200
    .venv/bin/python bench/mail_throughput.py --database-url postgresql://postgres@127.0.0.1/bench_mail
      (an empty database: the schema is built by the migrations)
    .venv/bin/python bench/mail_throughput.py --workers 2 --database-url postgresql://…
      (delivered by that many `flask mail deliver` processes at once, as production runs them; the
      sink then holds each message once, or the run says how many came twice)
"""

import argparse
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VALIDATORS = ROOT.parent / "shared" / "validators"


def start_sink(folder: Path) -> tuple[subprocess.Popen, int]:
    port_file = folder / "port"
    process = subprocess.Popen(
        [str(VALIDATORS / "mail-sink"), "--dir", str(folder / "mails"), "--port", "0", "--port-file",
         str(port_file), "-q"], stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while not (port_file.exists() and port_file.read_text().strip()):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("mail-sink did not start")
        time.sleep(0.05)
    return process, int(port_file.read_text())


def deliver_with_workers(workers: int, url: str, port: int, batch_size: int) -> None:
    """`flask mail deliver` in `workers` processes at once, each until the outbox is empty."""
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": os.urandom(32).hex(), "FLASK_APP": "wsgi.py",
           "DATABASE_URL": url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port),
           "MAIL_DEFAULT_SENDER": "Équipe MC2CM <events@mc2cm.example.org>"}
    processes = [subprocess.Popen([str(ROOT / ".venv/bin/flask"), "mail", "deliver", "--batch-size", str(batch_size)],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL) for _ in range(workers)]
    for process in processes:
        if process.wait() != 0:
            raise SystemExit("a mail worker failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=100, help="messages per SMTP connection")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=0,
                        help="deliver with this many `flask mail deliver` processes (0: in this process)")
    args = parser.parse_args()
    if not (VALIDATORS / "mail-sink").exists():
        raise SystemExit("../shared/validators/mail-sink is needed")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    from flask_migrate import upgrade

    from app import create_app
    from app.auth.models import Role, User
    from app.events.models import City, Event, EventState
    from app.extensions import db
    from app.mail.delivery import deliver_due
    from app.mail.recipients import Recipient
    from app.mail.services import event_invitation, queue_message
    from config import normalise_database_url

    folder = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    url = normalise_database_url(args.database_url) if args.database_url else f"sqlite:///{folder / 'bench.sqlite'}"
    sink, port = start_sink(folder)
    try:
        app = create_app("testing", {
            "SQLALCHEMY_DATABASE_URI": url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
            "MAIL_DEFAULT_SENDER": "Équipe MC2CM <events@mc2cm.example.org>", "MAIL_BATCH_SIZE": args.batch_size,
        })
        with app.app_context():
            upgrade()
            from datetime import date, timedelta

            lyon = City(name_en="Lyon", name_fr="Lyon", country_code="FR", timezone="Europe/Paris")
            organiser = User(email="organisatrice@mc2cm.example.org", name="Hélène Moreau", role=Role.ORGANISER,
                             city=lyon, password_hash="-")
            start = date.today() + timedelta(days=60)
            event = Event(slug=f"bench-{int(time.time())}", theme_en="Urban citizenship",
                          theme_fr="Citoyenneté urbaine", summary_en="Two days on one theme.",
                          summary_fr="Deux jours sur un thème.", host_city=lyon, start_date=start,
                          end_date=start + timedelta(days=1), venue="Hôtel de Ville", state=EventState.OPEN)
            db.session.add_all([lyon, organiser, event])
            db.session.commit()

            began = time.perf_counter()
            for number in range(args.count):
                recipient = Recipient(f"participant{number}@example.net", f"Zoé Lefèvre {number}",
                                      "fr" if number % 2 else "en", private_link=f"http://127.0.0.1:5000/r/{number}")
                queue_message("registration_confirmed", recipient, event=event,
                              context={"registration": None}, invitation=event_invitation(event))
            db.session.commit()
            queued = time.perf_counter()

            if args.workers:
                deliver_with_workers(args.workers, url, port, args.batch_size)
            else:
                while deliver_due(batch_size=args.batch_size).claimed:
                    pass
            delivered = time.perf_counter()
        wait = subprocess.run([str(VALIDATORS / "mail-wait"), str(folder / "mails"), str(args.count), "120"],
                              capture_output=True, text=True)
        arrived = time.perf_counter()
        if wait.returncode != 0:
            raise SystemExit(wait.stderr)
        time.sleep(0.5)  # a message sent twice would arrive after the count was reached
        received = len(list((folder / "mails").glob("*.eml")))
    finally:
        os.kill(sink.pid, signal.SIGTERM)
        sink.wait(10)

    dialect = url.split(":", 1)[0]
    queue_rate = args.count / (queued - began)
    send_rate = args.count / (arrived - queued)
    workers = f"{args.workers} worker process(es)" if args.workers else "delivered in this process"
    print(f"{args.count} bilingual invitations, {dialect}, batches of {args.batch_size} per SMTP connection, "
          f"{workers}; received {received} ({received - args.count} sent twice)")
    print(f"  queued (rendered en+fr, invitation built):  {queued - began:6.2f} s  {queue_rate:8.1f} msg/s")
    print(f"  delivered to mail-sink (all arrived):       {arrived - queued:6.2f} s  {send_rate:8.1f} msg/s")
    print(f"  end to end:                                 {arrived - began:6.2f} s  "
          f"{args.count / (arrived - began):8.1f} msg/s")
    print(f"  (deliver_due returned after {delivered - queued:.2f} s)")


if __name__ == "__main__":
    main()
