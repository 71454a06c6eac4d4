"""The organisers' view of an event's outbox."""

from sqlalchemy import select

from app.auth.models import Role
from app.events.models import EventState
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.recipients import Recipient
from app.mail.services import event_invitation, queue_message

ZOE = Recipient("zoe.lefevre@example.net", "Zoé Lefèvre-Ben Saïd", "fr", private_link="http://127.0.0.1:5000/r/zoe")


def _queued(make, host):
    lyon, organiser = host
    event = make.event(lyon, EventState.OPEN, theme_en="Urban citizenship", theme_fr="Citoyenneté urbaine")
    message = queue_message("registration_confirmed", ZOE, event=event, context={"registration": object()},
                            invitation=event_invitation(event))
    failed = queue_message("private_link_resent", Recipient("gone@example.net", "Gone", "en"), event=event)
    failed.status, failed.attempts = OutboxStatus.FAILED, 8
    failed.last_error = "SMTPRecipientsRefused: 550 no such user"
    db.session.commit()
    return event, organiser, message, failed


def test_organiser_sees_status_attempts_and_last_error(app, client, make, host):
    event, organiser, _message, _failed = _queued(make, host)
    make.login(client, organiser)
    page = client.get(f"/manage/events/{event.slug}/outbox?lang=en")
    assert page.status_code == 200
    assert "Registration confirmed" in page.text and "zoe.lefevre@example.net" in page.text
    assert "Queued" in page.text and "Failed" in page.text
    assert "SMTPRecipientsRefused: 550 no such user" in page.text
    french = client.get(f"/manage/events/{event.slug}/outbox?lang=fr")
    assert "Inscription confirmée" in french.text and "Échec" in french.text


def test_the_outbox_shows_one_status_with_the_count_of_each(app, client, make, host):
    event, organiser, _message, _failed = _queued(make, host)
    make.login(client, organiser)
    everything = client.get(f"/manage/events/{event.slug}/outbox?lang=en").text
    assert "zoe.lefevre@example.net" in everything and "gone@example.net" in everything
    assert "All</strong> (2)" in everything and 'status=failed">Failed</a> (1)' in everything
    failed = client.get(f"/manage/events/{event.slug}/outbox?status=failed&lang=en").text
    assert "gone@example.net" in failed and "zoe.lefevre@example.net" not in failed
    assert '<strong aria-current="page">Failed</strong> (1)' in failed
    sent = client.get(f"/manage/events/{event.slug}/outbox?status=sent&lang=en").text
    assert "No message with this status." in sent and "gone@example.net" not in sent
    unknown = client.get(f"/manage/events/{event.slug}/outbox?status=%00nonsense&lang=en")
    assert unknown.status_code == 200 and "gone@example.net" in unknown.text and "zoe.lefevre" in unknown.text


def test_preview_shows_both_languages_and_the_invitation(app, client, make, host):
    event, organiser, message, _failed = _queued(make, host)
    make.login(client, organiser)
    page = client.get(f"/manage/events/{event.slug}/outbox/{message.id}?lang=en")
    assert page.status_code == 200
    assert page.text.index('<pre lang="fr"') < page.text.index('<pre lang="en"')
    assert "Bonjour Zoé Lefèvre-Ben Saïd" in page.text and "Hello Zoé Lefèvre-Ben Saïd" in page.text
    assert "METHOD:REQUEST" in page.text
    html = client.get(f"/manage/events/{event.slug}/outbox/{message.id}/html")
    assert html.status_code == 200 and '<div lang="fr"' in html.text and '<div lang="en"' in html.text
    assert html.headers["Content-Security-Policy"].startswith("sandbox")


def test_resend_queues_a_copy_that_goes_out(app, client, make, host, smtp_settings, capsys):
    smtp_settings["MAIL_SERVER"] = None
    event, organiser, _message, failed = _queued(make, host)
    make.login(client, organiser)
    response = client.post(f"/manage/events/{event.slug}/outbox/{failed.id}/resend")
    assert response.status_code == 302
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_email == "gone@example.net")
                              .order_by(OutboxMessage.id)).all()
    assert [r.status for r in rows] == [OutboxStatus.FAILED, OutboxStatus.QUEUED]
    assert rows[1].message_id != rows[0].message_id and rows[1].subject == rows[0].subject
    deliver_due()
    db.session.refresh(rows[1])
    assert rows[1].status is OutboxStatus.SENT


def test_a_message_of_another_event_is_not_found_here(app, client, make, host):
    _event, organiser, message, _failed = _queued(make, host)
    other = make.event(host[0], EventState.OPEN)
    make.login(client, organiser)
    assert client.get(f"/manage/events/{other.slug}/outbox/{message.id}").status_code == 404


def test_workspace_links_to_the_messages(app, client, make, host):
    event, organiser, _message, _failed = _queued(make, host)
    make.login(client, organiser)
    assert f"/manage/events/{event.slug}/outbox" in client.get(f"/manage/events/{event.slug}/").text
    facilitator = make.user(Role.FACILITATOR)
    make.assign(event, facilitator)
    client.post("/manage/logout")
    make.login(client, facilitator)
    assert f"/manage/events/{event.slug}/outbox" not in client.get(f"/manage/events/{event.slug}/").text


def test_the_note_of_a_message_printed_without_a_mail_server_reads_in_the_viewers_language(app, client, make, host):
    from app.mail.delivery import PRINTED_NOTE

    event, organiser, message, _failed = _queued(make, host)
    message.status, message.note = OutboxStatus.SENT, PRINTED_NOTE
    db.session.commit()
    make.login(client, organiser)
    french = client.get(f"/manage/events/{event.slug}/outbox?lang=fr").text
    assert "affiché dans la console" in french and PRINTED_NOTE not in french
    assert "printed to the console" in client.get(f"/manage/events/{event.slug}/outbox?lang=en").text
