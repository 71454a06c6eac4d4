"""A real SMTP server on 127.0.0.1 (../shared/validators/mail-sink) and the independent checks of
what reaches it (check-mail)."""

import email
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from email import policy
from pathlib import Path

import pytest

from app.auth.models import Role
from app.mail.recipients import Recipient, register_participant_source

VALIDATORS = Path(__file__).resolve().parents[3] / "shared" / "validators"
SENDER = "Équipe MC2CM événements <events@mc2cm.example.org>"
MAIL_SETTINGS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME", "MAIL_PASSWORD",
                 "MAIL_DEFAULT_SENDER", "MAIL_RETRY_BASE_SECONDS", "MAIL_MAX_ATTEMPTS")


def _need_validators() -> None:
    if not (VALIDATORS / "mail-sink").exists():
        pytest.skip("../shared/validators is not beside the project")


@dataclass
class Sink:
    directory: Path
    port: int

    def wait(self, count: int, timeout: float = 30) -> list[Path]:
        result = subprocess.run([str(VALIDATORS / "mail-wait"), str(self.directory), str(count), str(timeout)],
                                capture_output=True, text=True, timeout=timeout + 30)
        assert result.returncode == 0, result.stderr
        return self.files()

    def files(self) -> list[Path]:
        return sorted(self.directory.glob("[0-9][0-9][0-9][0-9]*.eml"))

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in self.files()]


def check_mail(files, expect_ics: bool = False, strict: bool = True) -> subprocess.CompletedProcess:
    """check-mail --langs en,fr [--expect-ics] on the files; --strict: warnings fail too."""
    _need_validators()
    args = [str(VALIDATORS / "check-mail"), "--langs", "en,fr"]
    if expect_ics:
        args.append("--expect-ics")
    if strict:
        args.append("--strict")
    return subprocess.run([*args, *map(str, files)], capture_output=True, text=True, timeout=600)


def assert_passes(files, expect_ics: bool = False) -> None:
    result = check_mail(files, expect_ics=expect_ics)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def _start_sink(directory: Path, state: Path) -> tuple[subprocess.Popen, int]:
    _need_validators()
    port_file, pid_file = state / "port", state / "pid"
    process = subprocess.Popen(
        [str(VALIDATORS / "mail-sink"), "--dir", str(directory), "--port", "0", "--port-file", str(port_file),
         "--pidfile", str(pid_file), "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300  # the first run installs aiosmtpd
    while not port_file.exists() or not port_file.read_text().strip():
        if process.poll() is not None:
            pytest.fail(f"mail-sink did not start: {process.stderr.read().decode()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("mail-sink did not start in time")
        time.sleep(0.05)
    return process, int(port_file.read_text())


@pytest.fixture
def smtp_settings(app):
    """Restore the mail settings a test changes."""
    saved = {name: app.config.get(name) for name in MAIL_SETTINGS}
    yield app.config
    app.config.update(saved)


@pytest.fixture
def mail_sink(app, tmp_path, smtp_settings):
    """mail-sink running on a free port, with the app's SMTP settings pointing at it."""
    _need_validators()
    state = tmp_path / "sink-state"
    state.mkdir()
    directory = tmp_path / "mails"
    process, port = _start_sink(directory, state)
    smtp_settings.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USE_SSL=False,
                         MAIL_USERNAME=None, MAIL_PASSWORD=None, MAIL_DEFAULT_SENDER=SENDER)
    try:
        yield Sink(directory, port)
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def participants(app):
    """A participant source, as the registration stage will register one, filled by the test."""
    people: dict[int, list[Recipient]] = {}

    def source(event, audience):
        return people.get(event.id, [])

    unregister = register_participant_source(app, source)
    yield people
    unregister()


@pytest.fixture
def host(make):
    """Lyon with its organiser, who signs the invitations."""
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    organiser = make.user(Role.ORGANISER, lyon, email="organisatrice.lyon@mc2cm.example.org",
                          name="Hélène Moreau-Dubois")
    return lyon, organiser
