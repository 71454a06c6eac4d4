"""The public page, the group's handout and the participant's panel, in both languages; the public
page's SQL queries do not grow with the sign-ups."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.field_visit import signups
from app.field_visit.models import SignupStatus, VisitSignup
from app.registration.tokens import make_token
from tests.field_visit.conftest import move_event_online, offer_policy


def test_public_page_shows_each_visit_with_its_stops_map_links_and_places(client, event, new_visit, participant):
    visit = new_visit(event, capacity=3, reserved=1)
    signups.sign_up(participant(event), visit)
    db.session.commit()
    page = client.get(f"/events/{event.slug}/field-visit?lang=en").text
    assert "The Guillotière and its associations" in page and "Letter-writer&#39;s office" in page
    assert "https://www.openstreetmap.org/search?query=12+rue+de+Marseille%2C+69007+Lyon" in page
    assert "Places left: 1" in page  # 3 places, 1 held back, 1 taken
    assert "<iframe" not in page and "<script" not in page  # a plain link, no external map on the page
    french = client.get(f"/events/{event.slug}/field-visit?lang=fr").text
    assert "La Guillotière et ses associations" in french and "Places restantes\u00a0: 1" in french
    assert "Un écrivain public" in french
    handout = client.get(f"/events/{event.slug}/field-visit/{visit.id}/handout?lang=fr").text
    assert "Rendez-vous" in handout and "Étapes" in handout and "Place Gabriel Péri" in handout


def test_draft_event_page_is_not_public(client, make, organiser):
    from app.events.models import EventState

    draft = make.event(organiser.city, EventState.DRAFT)
    assert client.get(f"/events/{draft.slug}/field-visit").status_code == 404


def test_hub_and_agenda_link_the_visit(client, event, new_visit):
    new_visit(event)
    hub = client.get(f"/events/{event.slug}/?lang=en").text
    assert f'href="/events/{event.slug}/field-visit"' in hub


def _public_page_queries(client, count_queries, event) -> int:
    with count_queries() as queries:
        assert client.get(f"/events/{event.slug}/field-visit").status_code == 200
    return len(queries)


def test_public_page_queries_do_not_grow_with_sign_ups(client, make, count_queries, event, new_visit):
    first, second = new_visit(event, capacity=None), new_visit(event, day=0, capacity=600)
    people = [make.registration(event) for _ in range(500)]

    def sign(rows):
        db.session.add_all(VisitSignup(visit_id=v.id, registration_id=r.id, status=SignupStatus.CONFIRMED)
                           for r in rows for v in (first, second))
        db.session.commit()

    sign(people[:5])
    with_five = _public_page_queries(client, count_queries, event)
    sign(people[5:])
    with_five_hundred = _public_page_queries(client, count_queries, event)
    assert with_five == with_five_hundred, (with_five, with_five_hundred)
    print(f"public field visit page: {with_five} queries with 5 sign-ups, {with_five_hundred} with 500")


def test_the_cached_page_follows_every_sign_up_leave_and_edit_and_a_hit_costs_one_query(
        client, event, new_visit, participant, count_queries):
    """The public page is served from the page cache while nothing it shows has changed; places
    left must still be right the moment someone signs up, moves up the waiting list or leaves."""
    visit = new_visit(event, capacity=1)
    first, second = participant(event), participant(event)
    path = f"/events/{event.slug}/field-visit?lang=en"
    assert "Places left: 1" in client.get(path).text
    with count_queries() as queries:
        assert "Places left: 1" in client.get(path).text
    assert len(queries) == 1  # the fingerprint alone
    signups.sign_up(first, visit)
    db.session.commit()
    assert "(0 waiting)" in client.get(path).text
    signups.sign_up(second, visit)
    db.session.commit()
    assert "(1 waiting)" in client.get(path).text
    signups.leave(first, visit)
    db.session.commit()
    assert "(0 waiting)" in client.get(path).text  # the next one moved up
    visit.title_en = "A new title for the visit"
    visit.updated_at = visit.updated_at + timedelta(seconds=1)
    db.session.commit()
    assert "A new title for the visit" in client.get(path).text


def test_participant_signs_up_and_leaves_from_their_page(client, event, new_visit, participant):
    visit = new_visit(event, capacity=1)
    person, other = participant(event), participant(event)
    token = make_token(person)
    page = client.get(f"/r/{token}?lang=en").text
    assert 'id="field-visit-heading"' in page and "Sign me up" in page
    response = client.post(f"/r/{token}/field-visit/{visit.id}/sign-up?lang=en")
    assert response.status_code == 302
    page = client.get(f"/r/{token}?lang=en").text
    assert "You are signed up for the visit." in page and "Give up my place on the visit" in page
    assert response.headers["Cache-Control"].startswith("private") or "no-store" in response.headers["Cache-Control"]
    other_page = client.get(f"/r/{make_token(other)}?lang=fr").text
    assert "Complet\u00a0: vous pouvez vous inscrire sur la liste d'attente." in other_page
    client.post(f"/r/{make_token(other)}/field-visit/{visit.id}/sign-up")
    client.post(f"/r/{token}/field-visit/{visit.id}/leave")
    rows = {r.registration_id: r.status for r in db.session.scalars(select(VisitSignup))}
    assert rows == {person.id: SignupStatus.LEFT, other.id: SignupStatus.CONFIRMED}


def test_a_refusal_is_shown_on_the_participant_page(client, event, new_visit, participant):
    morning = new_visit(event, start="09:00", end="12:00")
    parallel = new_visit(event, start="10:00", end="12:00", title_en="Parallel option")
    person = participant(event)
    token = make_token(person)
    client.post(f"/r/{token}/field-visit/{morning.id}/sign-up")
    client.post(f"/r/{token}/field-visit/{parallel.id}/sign-up?lang=en")
    page = client.get(f"/r/{token}?lang=en").text
    assert "You have signed up for another visit at the same time" in page


def test_an_offered_place_is_accepted_from_the_page(client, event, new_visit, participant):
    offer_policy(event)
    visit = new_visit(event, capacity=1)
    holder, waiting = participant(event), participant(event)
    signups.sign_up(holder, visit)
    signups.sign_up(waiting, visit)
    signups.leave(holder, visit)
    db.session.commit()
    token = make_token(waiting)
    assert "Accept the place on the visit" in client.get(f"/r/{token}?lang=en").text
    client.post(f"/r/{token}/field-visit/{visit.id}/accept")
    assert db.session.scalar(select(VisitSignup.status).where(VisitSignup.registration_id == waiting.id)) \
        is SignupStatus.CONFIRMED


@pytest.mark.parametrize(("lang", "said"), [("en", "it is too late to sign up"),
                                            ("fr", "il est trop tard pour s'y inscrire")])
def test_an_offered_place_is_no_longer_accepted_once_the_visit_has_begun(client, event, new_visit, participant,
                                                                         lang, said):
    from app.db_types import utcnow

    offer_policy(event)
    visit = new_visit(event, capacity=1)
    holder, waiting = participant(event), participant(event, language=lang)
    signups.sign_up(holder, visit)
    signups.sign_up(waiting, visit)
    signups.leave(holder, visit)
    visit.meets_at, visit.returns_at = utcnow() - timedelta(minutes=10), utcnow() + timedelta(hours=2)
    db.session.commit()
    token = make_token(waiting)
    page = client.get(f"/r/{token}?lang={lang}").text.replace("&#39;", "'")
    assert said in page and f"/field-visit/{visit.id}/accept" not in page
    response = client.post(f"/r/{token}/field-visit/{visit.id}/accept?lang={lang}", follow_redirects=True)
    assert said in response.text.replace("&#39;", "'")
    assert db.session.scalar(select(VisitSignup.status).where(VisitSignup.registration_id == waiting.id)) \
        is SignupStatus.OFFERED


def test_a_bad_link_cannot_sign_up(client, event, new_visit):
    visit = new_visit(event)
    assert client.post(f"/r/not-a-token/field-visit/{visit.id}/sign-up").status_code == 404


def test_the_contact_on_the_day_is_printed_for_the_events_staff_only(client, make, event, new_visit, organiser):
    visit = new_visit(event, contact_name="Marco Bianchi", contact_phone="+33 4 00 00 00 00")
    path = f"/events/{event.slug}/field-visit/{visit.id}/handout?lang=en"
    public = client.get(path)
    assert public.status_code == 200 and "Place Gabriel Péri" in public.text
    assert "Marco Bianchi" not in public.text and "+33 4 00 00 00 00" not in public.text
    make.login(client, organiser)
    staff = client.get(path)
    assert "Marco Bianchi, +33 4 00 00 00 00" in staff.text
    assert "no-store" in staff.headers["Cache-Control"]


def test_a_visit_that_took_place_or_will_not_offers_no_places(client, event, organiser, new_visit):
    """After the visit (the Guillotière of 2016) the page says when it took place, and after the event's
    cancellation that it will not take place: no places left, no way to sign up."""
    from datetime import datetime, time, timedelta

    from app.db_types import utcnow
    from app.events.lifecycle import change_state
    from app.events.models import EventState
    from app.timezones import local_to_utc

    past, coming = new_visit(event, capacity=5), new_visit(event, day=0, capacity=5)
    day = utcnow().date() - timedelta(days=30)
    past.meets_at = local_to_utc(datetime.combine(day, time(14)), event.timezone)
    past.returns_at = local_to_utc(datetime.combine(day, time(17)), event.timezone)
    db.session.commit()
    assert past.returns_at < utcnow() < coming.meets_at
    page = client.get(f"/events/{event.slug}/field-visit?lang=en").text
    took_place = page.split(f'id="visit-{past.id}"')[1].split("</section>")[0]
    assert f"This visit took place on {day:%A}" in took_place and str(day.year) in took_place
    assert "Places left" not in took_place and "sign up from their own page" not in took_place
    assert "Places left: 5" in page.split(f'id="visit-{coming.id}"')[1]
    french = client.get(f"/events/{event.slug}/field-visit?lang=fr").text
    assert "Cette visite a eu lieu le " in french
    change_state(event, EventState.CANCELLED, organiser, confirmed=True, reason="Grève")
    db.session.commit()
    cancelled = client.get(f"/events/{event.slug}/field-visit?lang=en").text
    assert "The event is cancelled, and with it this visit." in cancelled
    assert "Places left" not in cancelled and "sign up from their own page" not in cancelled


def test_a_visit_at_the_same_time_as_ones_own_is_not_offered(client, event, new_visit, participant):
    """The panel says why before anyone presses a button that could only be refused."""
    morning = new_visit(event, start="09:00", end="12:00", title_en="Morning")
    new_visit(event, start="10:00", end="12:00", title_en="Parallel option")
    new_visit(event, start="14:00", end="17:00", title_en="Afternoon")
    person = participant(event)
    signups.sign_up(person, morning)
    db.session.commit()
    page = client.get(f"/r/{make_token(person)}?lang=en").text
    parallel = page.split("Parallel option</span></a></h3>")[1].split('<div class="field-visit-choice">')[0]
    assert "You have signed up for another visit at the same time: “Morning”. Leave it first." in parallel
    assert "Sign me up" not in parallel
    assert "Sign me up" in page.split("Afternoon</span></a></h3>")[1]

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_typed_text_is_shown_escaped_on_every_page_of_the_visit(client, make, event, new_visit, participant,
                                                               organiser):
    """Every text an organiser types about a visit, hostile markup included, reaches the pages that show it
    as text: the public page, the handout (public and staff), the participant's page, the staff pages."""
    from app.field_visit.services import StopInput

    on = event.start_date + timedelta(days=1)
    visit = new_visit(event, title_en=f"Walk {HOSTILE}", title_fr=f"Marche {HOSTILE}", meeting_point=HOSTILE,
                      meeting_address=f"1 rue {HOSTILE}", return_place=HOSTILE, transport=HOSTILE,
                      what_to_bring_en=HOSTILE, what_to_bring_fr=HOSTILE, contact_name=HOSTILE,
                      stops=[StopInput(place=HOSTILE, address=HOSTILE, shown_en=HOSTILE, shown_fr=HOSTILE,
                                       at_local=datetime.combine(on, time(14, 30)))])
    going = participant(event, name=HOSTILE)
    signups.sign_up(going, visit)
    db.session.commit()
    pages = [f"/events/{event.slug}/field-visit", f"/events/{event.slug}/field-visit/{visit.id}/handout",
             f"/r/{make_token(going)}"]
    staff = [f"/manage/events/{event.slug}/field-visit", f"/manage/events/{event.slug}/field-visit/{visit.id}/people",
             f"/manage/events/{event.slug}/field-visit/{visit.id}/check-in",
             f"/manage/events/{event.slug}/field-visit/{visit.id}",
             f"/events/{event.slug}/field-visit/{visit.id}/handout"]
    for signed_in, paths in ((False, pages), (True, staff)):
        if signed_in:
            make.login(client, organiser)
        for path in paths:
            for lang in ("en", "fr"):
                response = client.get(f"{path}?lang={lang}")
                assert response.status_code == 200, path
                assert "<script>alert" not in response.text and "<img src=x" not in response.text, (path, lang)
                assert "&lt;script&gt;" in response.text, (path, lang)


def test_a_visit_under_way_offers_no_button_and_refuses_a_sign_up_in_the_participants_language(
        client, event, new_visit, participant):
    from datetime import timedelta

    from app.db_types import utcnow

    under_way, later = new_visit(event, title_en="Under way"), new_visit(event, day=0, title_en="Later")
    under_way.meets_at, under_way.returns_at = utcnow() - timedelta(minutes=30), utcnow() + timedelta(hours=2)
    db.session.commit()
    for lang, said in (("en", "it is too late to sign up"), ("fr", "il est trop tard pour s'y inscrire")):
        person = participant(event, language=lang)
        token = make_token(person)
        page = client.get(f"/r/{token}?lang={lang}").text
        panel = page.split(f'#visit-{under_way.id}"')[1].split('<div class="field-visit-choice">')[0]
        assert said in panel and f"/field-visit/{under_way.id}/sign-up" not in panel
        assert f"/field-visit/{later.id}/sign-up" in page
        response = client.post(f"/r/{token}/field-visit/{under_way.id}/sign-up?lang={lang}", follow_redirects=True)
        assert said in response.text
    assert db.session.scalar(select(VisitSignup.id).where(VisitSignup.visit_id == under_way.id)) is None


def test_the_page_of_someone_moved_online_says_why_their_visit_place_went(client, event, new_visit, participant,
                                                                          organiser):
    from app.events.models import EventFormat

    event.format = EventFormat.HYBRID
    db.session.commit()
    visit = new_visit(event, capacity=2)
    person = participant(event)
    signups.sign_up(person, visit)
    db.session.commit()
    move_event_online(event, organiser)
    token = make_token(person)
    # They changed nothing themselves: the event did.
    page = client.get(f"/r/{token}?lang=en").text
    assert "Your place on this visit was freed: you now take part online." in page
    assert "when your registration changed" not in page
    french = client.get(f"/r/{token}?lang=fr").text
    assert "Votre place pour cette visite a été libérée\u00a0: vous participez désormais en ligne." in french


def test_a_full_visit_does_not_offer_its_waiting_list_to_someone_who_cannot_join_it(
        client, event, new_visit, participant):
    from app.db_types import utcnow
    from app.events.models import EventFormat
    from app.registration.models import AttendanceMode

    event.format = EventFormat.HYBRID
    db.session.commit()
    full, under_way = new_visit(event, capacity=1, title_en="Full"), new_visit(event, capacity=1, day=0)
    signups.sign_up(participant(event), full)
    signups.sign_up(participant(event), under_way)
    under_way.meets_at, under_way.returns_at = utcnow() - timedelta(minutes=30), utcnow() + timedelta(hours=2)
    db.session.commit()
    waiting_list = {"en": "Full: you can join the waiting list.",
                    "fr": "Complet\u00a0: vous pouvez vous inscrire sur la liste d'attente."}
    for lang in ("en", "fr"):
        # Online: the full visit is refused them, so its waiting list is not offered.
        online = client.get(f"/r/{make_token(participant(event, attendance=AttendanceMode.ONLINE))}?lang={lang}").text
        assert waiting_list[lang] not in online and {"en": "Full.", "fr": "Complet."}[lang] in online
        # In person: the full visit's waiting list is offered; the one under way says only that it began.
        page = client.get(f"/r/{make_token(participant(event, language=lang))}?lang={lang}").text
        panel = page.split(f'#visit-{under_way.id}"')[1].split('<div class="field-visit-choice">')[0]
        assert waiting_list[lang] not in panel and "seats" not in panel
        assert page.count(waiting_list[lang]) == 1


@pytest.mark.parametrize(("lang", "said", "task"), [
    ("en", "The event is now held online only: this visit, for those who come in person, takes no sign-ups.",
     "The event is online only: give “The Guillotière and its associations” a video link"),
    ("fr", "L'événement se tient désormais uniquement en ligne\u00a0: cette visite, pour qui vient sur place, "
           "ne prend plus d'inscriptions.",
     "L'événement se tient uniquement en ligne\u00a0: donnez à «\u00a0La Guillotière et ses associations\u00a0»"),
])
def test_an_online_only_events_visit_with_places_offers_none_and_the_organiser_is_told(
        client, event, new_visit, lang, said, task):
    """Nobody comes in person to an online-only event: its page offers no places on a visit made
    for those who do, and the organiser's list of what is left says to give it a link or remove it."""
    from app.events.models import EventFormat
    from app.field_visit.stage import todo

    new_visit(event, capacity=5)
    event.format = EventFormat.DIGITAL
    event.online_url = "https://meet.example.org/x"
    db.session.commit()
    page = client.get(f"/events/{event.slug}/field-visit?lang={lang}").text
    assert said in page
    assert "Places left" not in page and "Places restantes" not in page
    with client.application.test_request_context(f"/?lang={lang}"):
        assert any(str(t.text).startswith(task) for t in todo(event))
