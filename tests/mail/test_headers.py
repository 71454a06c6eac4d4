"""Headers as mail clients display them: the subject reads exactly as written, display names never
change the recipients, and nothing a person types breaks a header or an invitation."""

import email
import random
import re
import subprocess
from email import policy
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from app.events.models import EventState
from app.extensions import db
from app.mail.delivery import OutboxMail, deliver_due, subject_header
from app.mail.models import OutboxMessage
from app.mail.recipients import Recipient
from app.mail.services import event_invitation, queue_message
from tests.mail.conftest import VALIDATORS, _need_validators, assert_passes

ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
NBSP, NNBSP = "\u00a0", "\u202f"

# Themes as organisers write them: accents, apostrophes of both kinds, no-break spaces before « : »
# and », and one of 150 characters.
LONG_FR = ("Rencontre de printemps des villes méditerranéennes\u00a0: l’accueil des réfugiés, l'inclusion "
           "urbaine et la citoyenneté à Saint-Étienne, Tunis et Amman")
LONG_EN = ("Spring meeting of Mediterranean cities: welcoming refugees, the city's inclusion policies and "
           "urban citizenship in Saint-Étienne, Tunis and Amman")
THEMES = [
    (LONG_EN, LONG_FR),
    ("The “Inclusive cities” programme’s spring session", f"La session de printemps{NNBSP}: «{NBSP}Villes "
                                                          f"inclusives{NBSP}» d’aujourd’hui"),
    ("Urban citizenship", "Citoyenneté urbaine"),
]
KINDS = [
    ("registration_confirmed", {"registration": object()}, True),
    ("event_cancelled", {"reason": "Grève des transports"}, False),
    ("private_link_resent", {}, False),
]


def _readers(raw: bytes) -> list[str]:
    """The Subject as two independent readers decode it: email.policy.default (what check-mail and
    modern Python use) and the legacy email.header API."""
    modern = email.message_from_bytes(raw, policy=policy.default)["Subject"]
    legacy = email.message_from_bytes(raw)["Subject"]
    return [str(modern), str(make_header(decode_header(legacy)))]


def _header_block(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0]


def _assert_well_formed(raw: bytes) -> None:
    head = _header_block(raw)
    assert head.isascii(), "headers must be ASCII (RFC 2047)"
    for line in head.split(b"\r\n"):
        assert len(line) <= 78, line
        for word in ENCODED_WORD.findall(line):
            assert len(word) <= 75, word


def _mail(subject: str, name: str = "", address: str = "zoe@example.net", reply_to=None) -> bytes:
    return OutboxMail(subject=subject, recipients=[(name, address)], body="text", html="<p>html</p>",
                      sender="Équipe MC2CM événements <events@mc2cm.example.org>", reply_to=reply_to,
                      charset="utf-8").as_bytes()


def test_python_s_own_folding_is_not_what_we_send(app):
    """The reason the Subject is written by hand: email.policy folds this subject into encoded-words
    whose boundaries glue two words ("Événementchangé") on Python 3.11–3.13."""
    subject = ("méditerranéennes et » annulé migration l’inclusion annulé la de Événement changé printemps "
               "Événement villes Saint-Étienne programme")
    raw = _mail(subject)
    _assert_well_formed(raw)
    assert _readers(raw) == [subject, subject]


def test_random_french_subjects_read_back_exactly(app):
    random.seed(20261128)
    vocabulary = ["printemps", "villes", "méditerranéennes", "migration", "urbaine", "l’inclusion", "d'accueil",
                  "réfugiés", "à", "Saint-Étienne", "citoyenneté", "de", "la", "des", "et", "Événement", "annulé",
                  "confirmée", "Inscription", "«", "Villes", "»", "programme", "changé", "x", "😀", "e\u0301te\u0301",
                  "Anticonstitutionnellementméditerranéennesréfugiés"]
    openings = ["Inscription confirmée\u00a0: ", f"Événement annulé{NNBSP}: ", "", "Event: "]
    for _ in range(400):
        subject = " ".join(random.choice(vocabulary) for _ in range(random.randint(1, 40)))
        subject = subject.replace(" « ", f"{NBSP}«{NBSP}").replace(" »", f"{NBSP}»")
        subject = random.choice(openings) + subject
        raw = _mail(subject)
        _assert_well_formed(raw)
        assert _readers(raw) == [subject, subject]


@pytest.mark.parametrize("subject", [
    "Short and plain",
    "A plain ASCII subject that is long enough to need folding over more than one line of the header",
    "Looks =?utf-8?q?encoded?= but is not",
    "Événement",
    "é" * 130,
    "Inscription confirmée\u00a0: " + "x" * 140,
])
def test_edge_subjects_read_back_exactly(app, subject):
    raw = _mail(subject)
    _assert_well_formed(raw)
    assert _readers(raw) == [subject, subject]


def test_words_are_never_cut_between_encoded_words(app):
    """Each encoded-word holds whole words with the space after them: a client that shows the
    encoded-words one by one (or a lenient one that keeps the folding space) still shows no word cut
    in two."""
    subject = f"Inscription confirmée{NBSP}: {LONG_FR} / Registration confirmed: {LONG_EN}"
    header = subject_header(subject)
    words = ENCODED_WORD.findall(str(header).encode())
    assert b" ".join(words) == str(header).encode(), "only encoded-words, one space between them"
    pieces = [str(make_header(decode_header(word.decode()))) for word in words]
    assert "".join(pieces) == subject
    assert len(pieces) > 2
    assert all(piece[-1].isspace() for piece in pieces[:-1]), pieces


@pytest.mark.parametrize("language", ["en", "fr"])
def test_long_subjects_through_smtp_display_exactly_as_written(app, make, mail_sink, host, language):
    lyon, _organiser = host
    expected = {}
    for number, (theme_en, theme_fr) in enumerate(THEMES):
        event = make.event(lyon, EventState.OPEN, theme_en=theme_en, theme_fr=theme_fr)
        for kind, context, with_invitation in KINDS:
            recipient = Recipient(f"p{number}.{kind}@example.net", "Zoé Lefèvre-Ben Saïd", language)
            message = queue_message(kind, recipient, event=event, context=context,
                                    invitation=event_invitation(event) if with_invitation else None)
            expected[message.message_id] = message.subject
    db.session.commit()
    assert deliver_due().sent == len(expected)
    files = mail_sink.wait(len(expected))
    first = {"en": "Registration confirmed: ", "fr": "Inscription confirmée\u00a0: "}[language]
    assert any(subject.startswith(first + THEMES[0][0 if language == "en" else 1]) for subject in expected.values())
    for path in files:
        raw = path.read_bytes()
        _assert_well_formed(raw)
        message_id = email.message_from_bytes(raw, policy=policy.default)["Message-ID"]
        assert _readers(raw) == [expected[message_id]] * 2
    assert len(max(expected.values(), key=len)) > 300
    assert_passes(files)


def test_check_mail_reads_the_subject_as_written(app, make, mail_sink, host):
    """The validator's own reading, with --subject: the exact subject displayed."""
    _need_validators()
    lyon, _organiser = host
    event = make.event(lyon, EventState.OPEN, theme_en=LONG_EN, theme_fr=LONG_FR)
    queue_message("event_cancelled", Recipient("zoe@example.net", "Zoé", "fr"), event=event,
                  context={"reason": ""}, invitation=event_invitation(event, cancelled=True))
    db.session.commit()
    deliver_due()
    [path] = mail_sink.wait(1)
    subject = db.session.scalars(select(OutboxMessage.subject)).one()
    assert subject.startswith(f"Événement annulé{NBSP}: Rencontre de printemps")
    result = subprocess.run([str(VALIDATORS / "check-mail"), "--langs", "en,fr", "--strict", "--expect-ics",
                             "--subject", subject, str(path)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
