"""In Chromium: a form with errors gives the focus to its summary, which lists every error, and each
of its links takes the keyboard to the field to correct."""

import pytest
from playwright.sync_api import expect

from app.auth.models import Role

pytestmark = [pytest.mark.browser]


def test_the_summary_takes_the_focus_and_its_links_lead_to_the_fields(live_server, phone, make):
    lyon = make.city("Lyon", "Europe/Paris", "FR")
    organiser = make.user(Role.ORGANISER, lyon, email="helene@example.org")
    phone.goto(f"{live_server}/manage/events/new?lang=fr")
    phone.get_by_label("Adresse électronique").fill(organiser.email)
    phone.get_by_label("Mot de passe").fill(make.PASSWORD)
    phone.get_by_role("button", name="Se connecter").tap()
    phone.get_by_label("Premier jour").fill("2030-03-27")
    phone.get_by_label("Dernier jour").fill("2030-03-26")
    phone.locator("#online_url").fill("http://meet.example.org/lyon")
    phone.locator("#capacity").fill("0")
    phone.get_by_role("button", name="Créer le brouillon").tap()
    summary = phone.locator("#error-summary")
    expect(summary).to_be_focused()
    # The theme (a rule of the service), the dates, the link and the capacity (the form's own check): together.
    expect(summary.locator("a")).to_have_count(4)
    expect(summary).to_contain_text("https://")
    summary.locator('a[href="#online_url"]').tap()
    expect(phone.locator("#online_url")).to_be_focused()
    assert phone.locator("#online_url").input_value() == "http://meet.example.org/lyon", "nothing typed is lost"
