"""No page scrolls sideways on a small phone: every public and staff page of the demo, in both
languages, at 360×740 in Chromium, signed in as an administrator (who may open every staff page).

The pages come from the URL map, so a new page joins by itself; one this file cannot build a URL
for fails `test_every_page_is_measured` until VALUES (or NOT_PAGES, for what is no HTML page) says how."""

import pytest
from flask import url_for

from tests.e2e.test_html_validity import full_demo  # noqa: F401 (the demo data of `flask seed-demo`)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 360, "height": 740}
# Files, feeds and machine answers: no page to lay out.
NOT_PAGES = {
    "static", "health.healthz", "events.network_feed", "events.feed", "agenda.item_ics", "background.pdf",
    "background.draft_pdf", "learning_note.download", "learning_note.version_download",
    "learning_note_manage.preview_file", "library.notes_feed", "library.export_csv", "library.export_xlsx",
    "capture.case_pdf", "capture_manage.export_csv", "capture_manage.export_xlsx", "field_visit_manage.export",
    "registration_manage.export", "registration_manage.export_xlsx", "registration_manage.sign_in_sheet",
    "registration_manage.badges", "registration.calendar_file", "capture.board", "outbox.preview_html",
}
# Pages of the participant's own link and of signing in: opened without the staff session.
WITHOUT_SESSION = {"auth.login", "auth.forgot_password", "auth.set_password"}


def _demo_values(app, full_demo):  # noqa: F811
    from app.auth.models import Role, User
    from app.auth.password_links import Purpose, make_token
    from app.capture.models import Entry
    from app.events.models import Event
    from app.extensions import db
    from app.field_visit.models import FieldVisit
    from app.learning_note.models import NoteVersion

    event, token, registration_id, message_id, item_id, passwords = full_demo
    note_event = db.session.get(Event, db.session.scalar(db.select(NoteVersion.event_id)))
    entry = db.session.scalar(db.select(Entry).where(Entry.event_id == event.id).order_by(Entry.id))
    final = db.session.scalar(db.select(Entry).where(Entry.event_id == note_event.id).order_by(Entry.id))
    admin = db.session.scalar(db.select(User).where(User.role == Role.ADMIN))
    organiser = db.session.scalar(db.select(User).where(User.role == Role.ORGANISER))
    common = {"slug": event.slug, "registration_id": registration_id, "item_id": item_id,
              "message_id": message_id, "user_id": organiser.id, "token": token,
              "visit_id": db.session.scalar(db.select(FieldVisit.id).where(FieldVisit.event_id == event.id)),
              "entry_id": entry.id, "number": 1, "code": "10", "city_slug": event.host_city.slug,
              "purpose": "reset"}
    special = {
        "learning_note": {"slug": note_event.slug},
        "learning_note_manage": {"slug": note_event.slug},
        "library.city": {"slug": event.host_city.slug},
        "library_manage.follow_up": {"city_slug": event.host_city.slug, "entry_id": final.id},
        "auth.set_password": {"token": make_token(admin, Purpose.RESET)},
    }
    return common, special, admin, passwords


def _page_urls(app, full_demo):  # noqa: F811
    common, special, admin, passwords = _demo_values(app, full_demo)
    urls, unbuilt = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        values = {**common, **special.get(rule.endpoint.split(".")[0], {}), **special.get(rule.endpoint, {})}
        if set(rule.arguments) - set(values):
            unbuilt.append(rule.endpoint)
            continue
        with app.test_request_context():
            urls.append((rule.endpoint, url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})))
    return urls, unbuilt, admin, passwords


def _sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/manage/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/manage/login" not in url)


def _too_wide(page) -> list[str]:
    """What sticks out to the right, for the failure message (the widest first)."""
    return page.evaluate("""() => {
        const limit = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > limit + 0.5)
            .filter(el => ![...el.children].some(child => child.getBoundingClientRect().right > limit + 0.5))
            .slice(0, 5)
            .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
                       + ' ' + Math.round(el.getBoundingClientRect().right) + 'px');
    }""")


def test_every_page_is_measured(app, full_demo):  # noqa: F811
    _urls, unbuilt, _admin, _passwords = _page_urls(app, full_demo)
    assert not unbuilt, f"say in tests/e2e/test_phone_width.py how to build {unbuilt}"


def test_no_page_scrolls_sideways_on_a_small_phone(app, live_server, browser, full_demo):  # noqa: F811
    urls, _unbuilt, admin, passwords = _page_urls(app, full_demo)
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    anonymous = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        _sign_in(page, live_server, admin.email, passwords[admin.email])
        visitor = anonymous.new_page()
        visitor.set_default_timeout(15_000)
        too_wide = []
        for endpoint, path in urls:
            for lang in ("en", "fr"):
                tab = visitor if endpoint in WITHOUT_SESSION else page
                separator = "&" if "?" in path else "?"
                response = tab.goto(f"{live_server}{path}{separator}lang={lang}")
                assert response.status < 500, f"{path}: {response.status}"
                scroll, client = tab.evaluate(
                    "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
                if scroll > client:
                    too_wide.append(f"{path}?lang={lang}: {scroll}px > {client}px: {_too_wide(tab)}")
        assert not too_wide, "\n".join(too_wide)
        assert len(urls) > 50, "every page of the demo is measured"
    finally:
        context.close()
        anonymous.close()


def test_consent_boxes_are_thumb_sized_and_their_whole_row_ticks_them(live_server, browser, full_demo):  # noqa: F811
    event = full_demo[0]
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/events/{event.slug}/register?lang=fr")
        for name in ("consent_processing", "consent_public_list"):
            box = page.locator(f"#{name}")
            row = page.locator(f".check:has(#{name})")
            row.scroll_into_view_if_needed()
            row_box, box_box = row.bounding_box(), box.bounding_box()
            assert row_box["height"] >= 44 and page.locator(f"label[for={name}]").bounding_box()["height"] >= 44
            assert not box.is_checked()
            # A thumb lands a little above the box, not on it: the row takes it.
            page.touchscreen.tap(box_box["x"] + box_box["width"] / 2, row_box["y"] + 2)
            assert box.is_checked(), f"{name}: a tap beside the box ticks it"
            page.touchscreen.tap(row_box["x"] + row_box["width"] - 10, row_box["y"] + row_box["height"] / 2)
            assert not box.is_checked(), f"{name}: a tap on the label's far end unticks it"
    finally:
        context.close()


def test_the_participants_and_the_outbox_are_cards_on_a_phone(app, live_server, browser, full_demo):  # noqa: F811
    event, *_rest, passwords = full_demo
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        _sign_in(page, live_server, "organiser.turin@example.org", passwords["organiser.turin@example.org"])
        for path in ("participants/", "outbox"):
            page.goto(f"{live_server}/manage/events/{event.slug}/{path}?lang=fr")
            layout = page.evaluate("""() => {
                const row = document.querySelector('table.cards tbody tr');
                const cell = row.querySelector('td[data-label]');
                return {row: getComputedStyle(row).display, width: row.getBoundingClientRect().width,
                        label: getComputedStyle(cell, '::before').content};
            }""")
            assert layout["row"] == "block" and layout["width"] <= PHONE["width"], (path, layout)
            assert layout["label"] not in ("none", "normal", '""'), (path, layout)
    finally:
        context.close()


def test_the_agenda_time_column_leaves_the_width_to_the_items(live_server, browser, full_demo):  # noqa: F811
    event = full_demo[0]
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/events/{event.slug}/agenda?lang=fr")
        widths = page.evaluate("""() => [...document.querySelectorAll('.agenda-item')].map(item => [
            item.querySelector('.agenda-time').getBoundingClientRect().width,
            item.querySelector('.agenda-body').getBoundingClientRect().width])""")
        assert widths
        for time_width, body_width in widths:
            assert time_width <= 64 and body_width >= 3 * time_width, widths
    finally:
        context.close()
