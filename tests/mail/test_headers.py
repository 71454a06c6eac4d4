"""Headers as mail clients display them: the subject reads exactly as written, display names never
change the recipients, and nothing a person types breaks a header or an invitation."""

import email
import json
import random
import re
import subprocess
from email import policy
from email.header import decode_header, make_header

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.auth.models import Role
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


# Item 7: nothing a person types breaks a header, a recipient list or a calendar.

EVIL = 'Ann, "Bob" <evil@x.org>; **bold** <b>x</b>'
CONTROLS = "".join(map(chr, range(0x20))) + "\x7f\x85\u2028\u2029"


def _calendar_parts(raw: bytes) -> list[bytes]:
    message = email.message_from_bytes(raw, policy=policy.default)
    return [part.get_payload(decode=True) for part in message.walk()
            if part.get_content_type() in ("text/calendar", "application/ics")]


def _assert_no_controls(ics: bytes) -> None:
    unfolded = ics.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
    for line in unfolded.split(b"\r\n"):
        assert not re.search(rb"[\x00-\x1f\x7f]|\xc2\x85|\xe2\x80[\xa8\xa9]", line), line


@pytest.mark.parametrize("address", ["zoe@example.net", "Zoe.Lefevre+events@example.net"])
def test_no_display_name_changes_the_recipients(app, make, mail_sink, address):
    tunis = make.city("Tunis", "Africa/Tunis", "TN")
    make.user(Role.ORGANISER, tunis, email="org.tunis@example.org", name=f"{EVIL}\r\nBcc: spy@x.org")
    event = make.event(tunis, EventState.OPEN, theme_en="Water", theme_fr="L’eau")
    for name in (EVIL, f"Zoé {EVIL}", f"{EVIL} " * 3, f"Eve{CONTROLS}Doe", "=?utf-8?q?evil=40x.org?="):
        queue_message("registration_confirmed", Recipient(address, name, "fr"), event=event,
                      context={"registration": object()}, invitation=event_invitation(event))
    db.session.commit()
    assert deliver_due().sent == 5
    files = mail_sink.wait(5)
    for path in files:
        raw = path.read_bytes()
        _assert_well_formed(raw)
        legacy = email.message_from_bytes(raw)
        modern = email.message_from_bytes(raw, policy=policy.default)
        assert [a for _, a in email.utils.getaddresses(legacy.get_all("To"))] == [address]
        assert [a for _, a in email.utils.getaddresses([str(h) for h in modern.get_all("To")])] == [address]
        assert [a.addr_spec for a in modern["To"].addresses] == [address]
        assert [a.addr_spec for a in modern["Reply-To"].addresses] == ["org.tunis@example.org"]
        assert [a for _, a in email.utils.getaddresses(legacy.get_all("Reply-To"))] == ["org.tunis@example.org"]
        assert _names(legacy, modern, "Reply-To") == [f"{EVIL} Bcc: spy@x.org"]
        assert "Bcc" not in modern and "bcc" not in {name.lower() for name in modern}
        envelope = json.loads(path.with_suffix(".json").read_text())
        assert envelope["rcpt_tos"] == [address]
        for ics in _calendar_parts(raw):
            _assert_no_controls(ics)
            calendar = Calendar.from_ical(ics)
            [vevent] = calendar.walk("VEVENT")
            assert [str(a) for a in _as_list(vevent["ATTENDEE"])] == [f"mailto:{address}"]
            assert str(vevent["ORGANIZER"]) == "mailto:org.tunis@example.org"
    names = sorted(name for path in files for name in _names(*_both(path.read_bytes()), "To"))
    assert names == sorted([EVIL, f"Zoé {EVIL}", " ".join([EVIL] * 3), "Eve Doe", "=?utf-8?q?evil=40x.org?="])
    assert_passes(files, expect_ics=True)


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _both(raw: bytes):
    return email.message_from_bytes(raw), email.message_from_bytes(raw, policy=policy.default)


def _names(legacy, modern, header: str) -> list[str]:
    """The display names of `header` as an RFC 2047 reader shows them (the legacy API, which drops
    the space between two encoded-words), checked against email.policy's reading, which keeps that
    space (against RFC 2047) and so may show one space more where a long name was cut."""
    rfc = [str(make_header(decode_header(name))) for name, _ in email.utils.getaddresses(legacy.get_all(header))]
    python = [address.display_name for address in modern[header].addresses]
    assert [" ".join(name.split()) for name in python] == [" ".join(name.split()) for name in rfc]
    return rfc


def test_random_hostile_display_names_keep_one_address(app):
    random.seed(7)
    pieces = ['Ann,', '"Bob"', "<evil@x.org>;", "**bold**", "<b>x</b>", "Zoé", "O'Brien", "Dr.", "\\", "=?utf-8?q?",
              "a@b.c", "Lefèvre-Ben", "Saïd", "(comment)", "[x]", ":", "«\u00a0»", "x" * 30, "é" * 20]
    for _ in range(300):
        name = " ".join(random.choice(pieces) for _ in range(random.randint(1, 12)))
        to_zoe = OutboxMail(subject="s", body="b", sender="events@example.org", recipients=[(name, "zoe@example.net")])
        reply_to_zoe = OutboxMail(subject="s", body="b", sender="events@example.org",
                                  recipients=[("", "other@example.net")], reply_to=(name, "zoe@example.net"))
        for header, mail in (("To", to_zoe), ("Reply-To", reply_to_zoe)):
            raw = mail.as_bytes()
            _assert_well_formed(raw)
            legacy, modern = _both(raw)
            assert [a for _, a in email.utils.getaddresses(legacy.get_all(header))] == ["zoe@example.net"], name
            assert [a.addr_spec for a in modern[header].addresses] == ["zoe@example.net"], name
            assert _names(legacy, modern, header) == [name]


def test_a_title_with_line_breaks_and_controls_gives_a_valid_invitation_and_feed(app, make, host, tmp_path):
    from app.agenda.calendar import feed_entries
    from app.calendar import event_calendar, to_ics
    from tests.ical_check import assert_check_ics

    lyon, organiser = host
    # What reaches the database cannot hold NUL on PostgreSQL (forms refuse it); every other control can.
    stored_controls = CONTROLS.replace("\x00", "")
    organiser.name = f"Hélène{stored_controls}Moreau"
    event = make.event(lyon, EventState.OPEN, theme_en="Housing\r\nBcc: x@evil.example\x01",
                       theme_fr="Logement\u2028et\x0bville\x85", venue="Salle\nMolière\r", summary_en="One\rtwo\x1b[0m",
                       summary_fr="Un\u2029deux\r\n\r\ntrois\x7f")
    message = queue_message("registration_confirmed", Recipient("zoe@example.net", f"Zoé{CONTROLS}Lefèvre", "en"),
                            event=event, context={"registration": object()}, invitation=event_invitation(event))
    db.session.commit()
    item = make.agenda_item(event, title_en="Session\r\none", title_fr="Séance\u2028un", room="Salle\t2\x02",
                            description_en="First line\nsecond\x0cline", online_url="https://meet.example.org/a\r\nb")
    feed = to_ics(event_calendar(event, feed_entries([item], event, ("en", "fr"), "http://127.0.0.1:5000/events/x/\x00")))
    for name, ics in (("invitation.ics", message.ics), ("feed.ics", feed)):
        _assert_no_controls(ics)
        (tmp_path / name).write_bytes(ics)
        assert_check_ics(tmp_path / name)
    [invited] = Calendar.from_ical(message.ics).walk("VEVENT")
    assert str(invited["SUMMARY"]) == "Housing Bcc: x@evil.example / Logement et ville"
    assert str(invited["LOCATION"]) == "Salle Molière"
    assert str(invited["DESCRIPTION"]) == "One\ntwo [0m\n\nUn\ndeux\n\ntrois"
    assert invited["ATTENDEE"].params["CN"] == "Zoé Lefèvre"
    assert invited["ORGANIZER"].params["CN"] == "Hélène Moreau"
    [session] = Calendar.from_ical(feed).walk("VEVENT")
    assert str(session["SUMMARY"]) == "Session\none / Séance\nun"  # feeds keep line breaks, escaped
    assert str(session["DESCRIPTION"]).startswith("First line\nsecond\nline\n\n")
    assert str(session["URL"]) == "https://meet.example.org/ab"


@pytest.mark.parametrize("address", ["a\x00b@example.org", "ann@example.org\x1b", "a@exa\x7fmple.org",
                                     "ann@example.org\r\nBcc: x@evil.example", "Ann <ann@example.org>"])
def test_an_address_with_a_control_character_or_a_name_is_not_queued(app, make, address):
    with pytest.raises(ValueError, match="not an email address"):
        queue_message("private_link_resent", Recipient(address, "Ann", "en"), event=make.event())


def test_every_kind_with_long_themes_in_both_orders_reads_back_as_written(app, make, mail_sink, host):
    """Every kind's subject ("Sur la liste d'attente : …", "Visite de terrain demain : …") with the
    long themes, through the SMTP server: each reader displays it exactly as queued, and check-mail,
    which fails a word cut in two ("d'attent e"), passes every message."""
    from app.mail.kinds import kinds
    from tests.mail.test_templates import ACCOUNT_KINDS, WITH_CANCEL, WITH_INVITATION, _context

    lyon, _organiser = host
    expected, with_ics, without_ics = {}, [], []
    for number, (theme_en, theme_fr) in enumerate(THEMES[:2]):
        event = make.event(lyon, EventState.OPEN, theme_en=theme_en, theme_fr=theme_fr, venue="Salle Molière")
        for kind in sorted(kinds()):
            for language in ("en", "fr"):
                address = f"{kind}.{language}.{number}@example.net"
                invitation = None
                if kind in WITH_INVITATION or kind in WITH_CANCEL:
                    invitation = event_invitation(event, cancelled=kind in WITH_CANCEL)
                message = queue_message(kind, Recipient(address, "Zoé Lefèvre-Ben Saïd", language),
                                        event=None if kind in ACCOUNT_KINDS else event, context=_context(kind),
                                        invitation=invitation)
                expected[message.message_id] = message.subject
                (with_ics if invitation else without_ics).append(address)
    db.session.commit()
    sent = 0
    while (report := deliver_due()).claimed:
        assert report.failed == report.retried == 0, report
        sent += report.sent
    assert sent == len(expected) == 2 * 2 * len(kinds())
    files = mail_sink.wait(len(expected))
    by_address = {}
    for path in files:
        raw = path.read_bytes()
        _assert_well_formed(raw)
        message = email.message_from_bytes(raw, policy=policy.default)
        assert _readers(raw) == [expected[message["Message-ID"]]] * 2
        by_address[message["To"].addresses[0].addr_spec] = path
    assert any("d’aujourd’hui" in subject and "d'attente" in subject for subject in expected.values())
    assert_passes([by_address[address] for address in without_ics])
    assert_passes([by_address[address] for address in with_ics], expect_ics=True)
