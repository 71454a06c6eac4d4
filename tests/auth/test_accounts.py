"""Admin account management and `flask create-admin`."""

import pytest
from sqlalchemy import select

from app.auth.models import Role, User
from app.auth.services import authenticate
from app.extensions import db


@pytest.fixture
def admin(client, make):
    user = make.user(Role.ADMIN)
    make.login(client, user)
    return user


def test_admin_creates_an_organiser_bound_to_a_city(client, admin, make):
    tunis = make.city("Tunis", "Africa/Tunis", "TN")
    response = client.post("/manage/users/new", data={
        "email": "Sami@Example.org", "name": "Sami Ben Ali", "role": "organiser", "city_id": tunis.id,
        "preferred_language": "fr",
    })
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "sami@example.org"))
    assert user.role is Role.ORGANISER and user.city_id == tunis.id and user.preferred_language == "fr"
    assert user.password_set_at is None, "the person chooses it from the invitation"


@pytest.mark.parametrize(("lang", "data", "field", "message"), [
    ("en", {"role": "organiser", "city_id": "0"}, "city_id", "An organiser needs a host city."),
    ("fr", {"role": "organiser", "city_id": "0"}, "city_id", "Un organisateur"),
    ("en", {"email": "not-an-email"}, "email", "Invalid email address."),
    ("en", {"email": "taken@example.org"}, "email", "An account with this email address already exists."),
])
def test_bad_account_input_is_explained_next_to_the_field(client, admin, make, lang, data, field, message):
    make.user(Role.FACILITATOR, email="taken@example.org")
    form = {"email": "new@example.org", "name": "New Person", "role": "facilitator", "city_id": "0",
            "preferred_language": "en", **data}
    response = client.post(f"/manage/users/new?lang={lang}", data=form)
    assert response.status_code == 200
    error = response.text.split(f'id="{field}-error"')[1].split("</ul>")[0]
    assert message in error
    assert 'value="New Person"' in response.text


def test_disabling_an_account_signs_it_out(app, client, admin, make):
    organiser = make.user(Role.ORGANISER, make.city())
    their_browser = app.test_client()
    make.login(their_browser, organiser)
    assert their_browser.get("/manage/").status_code == 200
    response = client.post(f"/manage/users/{organiser.id}/edit", data={
        "name": organiser.name, "role": "organiser", "city_id": organiser.city_id, "preferred_language": "en",
    })
    assert response.status_code == 302
    assert their_browser.get("/manage/").status_code == 302


def test_admin_cannot_remove_their_own_admin_rights(client, admin):
    response = client.post(f"/manage/users/{admin.id}/edit?lang=en", data={
        "name": admin.name, "role": "facilitator", "city_id": "0", "preferred_language": "en", "active": "y",
    })
    assert "You cannot remove your own administrator rights" in response.text
    db.session.refresh(admin)
    assert admin.role is Role.ADMIN


def test_users_page_lists_accounts_with_roles(client, admin, make):
    make.user(Role.FACILITATOR, name="Zoé Lefèvre-Ben Saïd")
    page = client.get("/manage/users?lang=fr").text
    assert "Zoé Lefèvre-Ben Saïd" in page and "Facilitateur" in page


def test_editing_a_missing_account_is_a_404(client, admin):
    assert client.get("/manage/users/9999/edit").status_code == 404


def test_create_admin_command(runner):
    result = runner.invoke(args=["create-admin", "--email", "Root@Example.org", "--name", "Root",
                                 "--password", "a long admin password"])
    assert result.exit_code == 0, result.output
    user = authenticate("root@example.org", "a long admin password")
    assert user is not None and user.role is Role.ADMIN


def test_create_admin_refuses_a_weak_password_and_duplicates(runner, make):
    weak = runner.invoke(args=["create-admin", "--email", "a@example.org", "--name", "A", "--password", "short"])
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output
    make.user(Role.ADMIN, email="b@example.org")
    duplicate = runner.invoke(args=["create-admin", "--email", "b@example.org", "--name", "B",
                                    "--password", "a long admin password"])
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output


def test_create_admin_prompts_for_the_password(runner):
    result = runner.invoke(args=["create-admin", "--email", "c@example.org", "--name", "C"],
                           input="a long admin password\na long admin password\n")
    assert result.exit_code == 0, result.output
    assert authenticate("c@example.org", "a long admin password") is not None
