"""The capture console on a phone in a room whose Wi-Fi drops: in headless Chromium against the app
served on 127.0.0.1 (CSRF on, as in production)."""

import subprocess

import pytest
from sqlalchemy import func, select

from app.auth.models import Role
from app.capture.models import Entry
from app.events.models import EventState
from app.extensions import db
from tests.e2e.test_html_validity import CHECK_HTML

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

PENDING = "Not saved yet — will be sent when the connection returns."


@pytest.fixture
def console(live_server, phone, make):
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    event = make.event(lyon, EventState.OPEN)
    facilitator = make.user(Role.FACILITATOR, email="zoe@example.org")
    make.assign(event, facilitator)
    phone.goto(f"{live_server}/manage/login?lang=en")
    phone.get_by_label("Email").fill(facilitator.email)
    phone.get_by_label("Password").fill(make.PASSWORD)
    phone.get_by_role("button", name="Sign in").tap()
    expect(phone.get_by_role("button", name="Sign in")).to_have_count(0)
    phone.goto(f"{live_server}/manage/events/{event.slug}/capture?lang=en")
    return event


def _count(text: str | None = None) -> int:
    db.session.expire_all()
    query = select(func.count(Entry.id))
    if text is not None:
        query = query.where(Entry.text_en == text)
    return db.session.scalar(query)


def _type(phone, text: str) -> None:
    phone.get_by_label("Text", exact=True).fill(text)
    phone.get_by_role("button", name="Save", exact=True).tap()


def test_entries_typed_offline_are_kept_and_sent_once_when_the_connection_returns(phone, console):
    status = phone.locator("#save-status")
    phone.get_by_label("English").check()
    _type(phone, "Typed while online.")
    expect(status).to_have_text("Saved.")
    assert _count() == 1

    phone.context.set_offline(True)
    _type(phone, "First entry typed offline.")
    expect(status).to_have_text(PENDING)
    _type(phone, "Second entry typed offline.")
    expect(status).to_have_text(PENDING)
    expect(phone.locator("#pending li")).to_have_count(2)
    assert phone.get_by_label("Text", exact=True).input_value() == "", "ready for the next one"
    assert _count() == 1
    # A reload while offline would fail; what waits is in localStorage, not in the page.
    assert "First entry typed offline." in phone.evaluate("Object.values(localStorage).join(' ')")

    phone.context.set_offline(False)
    expect(status).to_have_text("Saved.", timeout=15_000)
    expect(phone.locator("#pending")).to_be_hidden()
    assert _count() == 3
    assert _count("First entry typed offline.") == 1 and _count("Second entry typed offline.") == 1
    phone.reload()
    expect(phone.locator("#pending")).to_be_hidden()
    expect(phone.locator("section[aria-labelledby=list-challenge]")).to_contain_text("Second entry typed offline.")


def test_an_answer_lost_on_the_way_back_is_resent_without_making_a_duplicate(phone, console):
    """The server saved the entry but the phone never heard back: the phone keeps it and sends it
    again with the same key, and the server answers with the entry it already has."""
    lost = []

    def lose_the_first_answer(route):
        if not lost:
            route.fetch()  # it reaches the server…
            lost.append(True)
            route.abort()  # …but the answer never reaches the phone
        else:
            route.continue_()

    phone.route("**/capture/entries", lose_the_first_answer)
    phone.get_by_label("English").check()
    _type(phone, "Saved once, answered twice.")
    expect(phone.locator("#save-status")).to_have_text("Saved.", timeout=15_000)
    assert lost == [True]
    assert _count("Saved once, answered twice.") == 1


def test_a_refused_entry_says_every_reason_at_once(phone, console):
    phone.get_by_label("What is it?").select_option("observation")
    phone.get_by_role("button", name="Save", exact=True).tap()
    status = phone.locator("#save-status")
    expect(status).to_contain_text("Write the entry in English, in French, or both.", timeout=15_000)
    expect(status).to_contain_text("Say which visit this was seen on.")
    assert _count() == 0


def test_the_console_works_without_scripts(browser, live_server, make):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    event = make.event(lyon, EventState.OPEN)
    organiser = make.user(Role.ORGANISER, lyon, email="giulia@example.org")
    page.goto(f"{live_server}/manage/login?lang=fr")
    page.get_by_label("Adresse électronique").fill(organiser.email)
    page.get_by_label("Mot de passe").fill(make.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server}/manage/events/{event.slug}/capture?lang=fr")
    page.get_by_label("Texte", exact=True).fill("Écrit sans script.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("Enregistré")
    db.session.expire_all()
    assert db.session.scalar(select(Entry.text_fr)) == "Écrit sans script."
    context.close()


def test_the_big_screen_refreshes_itself_and_resyncs_after_a_lost_connection(live_server, desktop, make):
    from app.capture import entries, voting
    from app.capture.entries import EntryInput
    from app.capture.models import EntryKind

    lyon = make.city("Lyon", "Europe/Paris", "FR")
    event = make.event(lyon, EventState.OPEN)
    organiser = make.user(Role.ORGANISER, lyon)
    entries.add_entry(organiser, event, EntryInput(EntryKind.RECOMMENDATION, text_en="Already there."))
    db.session.commit()
    desktop.goto(f"{live_server}/events/{event.slug}/recommendations/screen?lang=en")
    board = desktop.locator("#board")
    expect(board).to_contain_text("Already there.")
    entries.add_entry(organiser, event, EntryInput(EntryKind.RECOMMENDATION, text_en="Typed a moment ago."))
    db.session.commit()
    expect(board).to_contain_text("Typed a moment ago.", timeout=15_000)  # no reload: the script asked

    desktop.context.set_offline(True)
    expect(desktop.locator("#screen-status")).to_have_text("Connection lost: trying again…", timeout=15_000)
    voting.set_voting(organiser, event, True)
    voting.set_results_revealed(organiser, event, True)
    db.session.commit()
    desktop.context.set_offline(False)
    expect(board).to_contain_text("Per city", timeout=15_000)
    expect(desktop.locator("#screen-status")).to_have_text("Live")
    # The presenter scales the type; the choice is kept across a reload.
    size = desktop.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    desktop.get_by_role("button", name="A+ Larger text").click()
    desktop.get_by_role("button", name="A+ Larger text").click()
    larger = desktop.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert larger > size
    desktop.reload()
    assert desktop.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") == larger


def _queue(phone) -> list:
    return phone.evaluate("Object.keys(localStorage).filter(k => !k.endsWith(':draft'))"
                          ".flatMap(k => JSON.parse(localStorage.getItem(k)))")


def test_a_saved_entry_shows_in_its_list_at_once_and_what_is_typed_next_stays(phone, console):
    """The QA tester's tablet: after "Saved." the lists, their counts, the translation counters and
    the "It answers" choices must show the entry without a reload, and the form must keep what the
    facilitator has started typing meanwhile."""
    phone.evaluate("window.notReloaded = true")
    challenges = phone.locator("section[aria-labelledby=list-challenge]")
    expect(challenges.locator("h2")).to_contain_text("(0)")
    expect(phone.locator(".counts")).to_contain_text("Translation missing: 0")
    held_back = []
    # The lists' refresh is held back until the next entry is begun.
    def is_the_lists_refresh(url: str) -> bool:
        return url.endswith(f"/manage/events/{console.slug}/capture?lang=en")

    phone.route(is_the_lists_refresh, lambda route: held_back.append(route))
    phone.get_by_label("English").check()
    _type(phone, "Landlords refuse tenants without a payslip.")
    expect(phone.locator("#save-status")).to_have_text("Saved.")
    for _ in range(50):
        if held_back:
            break
        phone.wait_for_timeout(100)
    assert held_back, "after a save the console asks for its lists again"
    phone.get_by_label("Text", exact=True).fill("Half-typed next entry")
    phone.get_by_label("What is it?").select_option("recommendation")
    held_back[0].continue_()
    phone.unroute(is_the_lists_refresh)

    expect(challenges).to_contain_text("Landlords refuse tenants without a payslip.")
    expect(challenges.locator("h2")).to_contain_text("(1)")
    expect(phone.locator(".counts")).to_contain_text("Translation missing: 1")
    phone.get_by_text("More details").tap()
    expect(phone.get_by_role("group", name="It answers")).to_contain_text(
        "Common challenge: Landlords refuse tenants without a payslip.")
    expect(phone.get_by_label("Text", exact=True)).to_have_value("Half-typed next entry")
    expect(phone.get_by_label("What is it?")).to_have_value("recommendation")
    assert phone.evaluate("window.notReloaded") is True

    # Every kind shows at once, each in its own list: nothing typed twice.
    for kind, text in (("opportunity", "A new social housing fund."), ("observation", "The shelter has 40 beds.")):
        phone.get_by_label("What is it?").select_option(kind)
        if kind == "observation":
            phone.get_by_label("Visit", exact=True).fill("Shelter in San Salvario")
        _type(phone, text)
        expect(phone.locator(f"section[aria-labelledby=list-{kind}]")).to_contain_text(text)
        expect(phone.locator(f"section[aria-labelledby=list-{kind}] h2")).to_contain_text("(1)")
    expect(phone.locator(".counts")).to_contain_text("Translation missing: 3")
    assert _count() == 3


def _refused_recommendation(phone, text: str) -> None:
    phone.get_by_label("English").check()
    phone.get_by_label("What is it?").select_option("recommendation")
    phone.get_by_text("More details").tap()
    phone.get_by_label("Which actor").fill("The city's housing office")
    phone.locator("#sdgs").fill("10.7, 99.9")
    _type(phone, text)


SDG_REFUSAL = "Not a goal or target of the SDGs: 99.9."


def test_a_refused_entry_comes_back_into_the_form_with_each_error_beside_its_field(phone, console, tmp_path):
    text = "Open a one-stop desk for newcomers' housing."
    _refused_recommendation(phone, text)
    expect(phone.locator("#save-status")).to_contain_text(SDG_REFUSAL)

    expect(phone.get_by_label("Text", exact=True)).to_have_value(text)
    expect(phone.get_by_label("What is it?")).to_have_value("recommendation")
    expect(phone.get_by_label("Which actor")).to_have_value("The city's housing office")
    sdgs = phone.locator("#sdgs")
    expect(sdgs).to_have_value("10.7, 99.9")
    expect(sdgs).to_be_visible()
    expect(sdgs).to_have_attribute("aria-invalid", "true")
    assert "sdgs-error" in sdgs.get_attribute("aria-describedby").split()
    expect(phone.locator(".field.has-error", has=sdgs).locator("#sdgs-error")).to_contain_text(SDG_REFUSAL)
    summary = phone.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is 1 problem to correct.")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#sdgs")
    expect(phone.locator("#pending")).to_be_hidden()  # never sent as it is: not in the queue
    assert _queue(phone) == []
    assert _count() == 0

    # The page as the script left it (errors and summary drawn in the browser), with its styles
    # from the server: valid HTML, and axe finds nothing serious.
    html = tmp_path / "console-refused.html"
    base = phone.url.split("/manage/")[0] + "/"
    html.write_text(phone.content().replace("<head>", f'<head><base href="{base}">', 1), encoding="utf-8")
    if CHECK_HTML.exists():
        result = subprocess.run([str(CHECK_HTML), "--axe-files", "--errors-only", str(html)],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout[-3000:]

    sdgs.fill("10.7")
    phone.get_by_role("button", name="Save", exact=True).tap()
    expect(phone.locator("#save-status")).to_have_text("Saved.")
    expect(phone.locator("#sdgs-error")).to_have_count(0)
    expect(phone.locator("#error-summary")).to_have_count(0)
    expect(sdgs).to_have_attribute("aria-invalid", "false")
    expect(phone.locator("section[aria-labelledby=list-recommendation]")).to_contain_text(text)
    assert _count(text) == 1


def test_a_refusal_that_arrives_while_the_next_entry_is_typed_is_held_aside_not_lost(phone, console):
    refused = "Sent offline, refused later."
    phone.context.set_offline(True)
    _refused_recommendation(phone, refused)
    expect(phone.locator("#save-status")).to_have_text(PENDING)
    phone.locator("#sdgs").fill("")
    phone.get_by_label("Text", exact=True).fill("The next one, half typed")
    phone.context.set_offline(False)
    expect(phone.locator("#save-status")).to_contain_text(SDG_REFUSAL, timeout=15_000)

    expect(phone.get_by_label("Text", exact=True)).to_have_value("The next one, half typed")
    pending = phone.locator("#pending")
    expect(pending).not_to_contain_text("Waiting to be sent")
    expect(pending).to_contain_text("Not sent, kept here until you put it back in the form:")
    put_back = pending.get_by_role("button", name="Put back in the form")
    discard = pending.get_by_role("button", name="Discard")
    first, second = put_back.bounding_box(), discard.bounding_box()
    gap = second["x"] - (first["x"] + first["width"]) if second["y"] == first["y"] else second["y"] - (
        first["y"] + first["height"])
    assert gap >= 8, f"the two buttons must not run together ({gap}px apart)"
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scroll"

    put_back.tap()
    expect(phone.get_by_label("Text", exact=True)).to_have_value(refused)
    expect(phone.locator("#sdgs-error")).to_contain_text(SDG_REFUSAL)
    expect(pending).to_contain_text("The next one, half typed")  # what was in the form is kept aside
    assert _count() == 0


def test_a_refusal_reads_as_french_is_written_and_fits_the_phone(phone, console, live_server):
    phone.goto(f"{live_server}/manage/events/{console.slug}/capture?lang=fr")
    phone.get_by_label("De quoi s'agit-il\u00a0?").select_option("recommendation")
    phone.get_by_text("Plus de détails").tap()
    phone.get_by_label("Objectifs et cibles des ODD").fill("99.9")
    phone.get_by_label("Texte", exact=True).fill("Ouvrir un guichet unique pour le logement.")
    phone.get_by_role("button", name="Enregistrer", exact=True).tap()
    summary = phone.locator("#error-summary")
    expect(summary).to_contain_text("Il y a 1 problème à corriger.")
    expect(summary.get_by_role("link")).to_contain_text("Objectifs et cibles des ODD\u00a0: ")
    expect(phone.get_by_label("Texte", exact=True)).to_have_value("Ouvrir un guichet unique pour le logement.")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scroll"


def test_an_entry_typed_after_the_session_cookie_was_lost_is_sent_once_signed_in_again(phone, console, make,
                                                                                       live_server):
    """The phone lost its session cookie (the browser restarted with the tab restored, the cookie
    expired): the entry waits and the page says to sign in again in another tab. Once that is done,
    the entry is sent without reloading the console, with the new session's form token (the page's
    own token belonged to the lost session and is refused)."""
    status = phone.locator("#save-status")
    phone.context.clear_cookies()
    phone.get_by_label("English").check()
    _type(phone, "Typed after the cookie was lost.")
    expect(status).to_contain_text("your session has ended")
    assert _count() == 0
    other = phone.context.new_page()
    other.goto(f"{live_server}/manage/login?lang=en")
    other.get_by_label("Email").fill("zoe@example.org")
    other.get_by_label("Password").fill(make.PASSWORD)
    other.get_by_role("button", name="Sign in").tap()
    expect(other.get_by_role("button", name="Sign in")).to_have_count(0)
    other.close()
    expect(status).to_have_text("Saved.", timeout=20_000)
    expect(phone.locator("#pending")).to_be_hidden()
    assert _count("Typed after the cookie was lost.") == 1


def test_the_next_case_starts_without_the_last_ones_city_organisation_and_slides(phone, console):
    """Cases follow one another from different cities: a case that silently kept the previous one's
    city or slides would be credited wrongly. The session's own context (what kind, which language)
    stays for the next entry."""
    phone.get_by_label("English").check()
    phone.get_by_label("What is it?").select_option("case")
    phone.get_by_label("Title of the case").fill("One-stop shop for newcomers")
    phone.get_by_text("More details").tap()
    phone.get_by_label("Another city").fill("Marseille")
    phone.get_by_label("Organisation").fill("Ville de Marseille")
    phone.get_by_label("Link to the slides").fill("https://example.org/marseille.pdf")
    _type(phone, "Every service under one roof.")
    expect(phone.locator("#save-status")).to_have_text("Saved.")
    saved = db.session.scalar(select(Entry).where(Entry.text_en == "Every service under one roof."))
    assert (saved.city_other, saved.organisation, saved.slides_url) == (
        "Marseille", "Ville de Marseille", "https://example.org/marseille.pdf")
    for label in ("Another city", "Organisation", "Link to the slides", "Title of the case"):
        expect(phone.get_by_label(label)).to_have_value("")
    expect(phone.get_by_label("What is it?")).to_have_value("case")
    expect(phone.get_by_label("English")).to_be_checked()
