"""The pages that tell a participant where they stand, through check-html (Nu and axe) in both
languages: the thank-you page and the page of a cancelled registration."""

import pytest

from tests.e2e.test_html_validity import _check_html, full_demo  # noqa: F401 (the demo data of `flask seed-demo`)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_thank_you_and_cancelled_pages_are_valid_and_accessible(live_server, full_demo):  # noqa: F811
    from app.extensions import db
    from app.registration import signup, tokens
    from app.registration.models import Registration, RegistrationStatus

    event = full_demo[0]
    registration = db.session.scalar(db.select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
        Registration.id != full_demo[2]).order_by(Registration.id))
    signup.cancel(registration)
    db.session.commit()
    urls = [f"{live_server}{path}?lang={lang}" for lang in ("en", "fr") for path in (
        f"/r/{tokens.make_token(registration)}", f"/events/{event.slug}/register/sent")]
    result = _check_html(urls)
    assert result.returncode == 0, result.stdout[-4000:]
