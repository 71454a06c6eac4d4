"""The staff accounts' emails: the invitation of a new account, "forgot your password", and the
notice that sign-in was paused after wrong passwords. Bilingual like every message (the account's
language first); no event, no private link. Queued in the action's transaction."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.mail.kinds import Kind, register_kind

KINDS = (
    Kind("account_invitation", _l("Your MC2CM staff account: choose your password"), _l("Account invitation"),
         "auth/mail/account_invitation", ("link",)),
    Kind("password_reset", _l("Choose a new password for your MC2CM staff account"), _l("Password reset"),
         "auth/mail/password_reset", ("link",)),
    Kind("sign_in_paused", _l("Wrong passwords for your MC2CM staff account"), _l("Sign-in paused"),
         "auth/mail/sign_in_paused", ("reset_url",)),
)


def register_kinds(app: Flask) -> None:
    for kind in KINDS:
        register_kind(app, kind)


def recipient_of(user):
    from app.mail.recipients import Recipient

    return Recipient(user.email, user.name, user.preferred_language)


def queue_invitation(user) -> None:
    from app.auth.password_links import Purpose, link_for, max_age
    from app.mail.services import queue_message

    queue_message("account_invitation", recipient_of(user),
                  context={"link": link_for(user, Purpose.INVITATION),
                           "days": max_age(Purpose.INVITATION) // 86400, "role": user.role})


def queue_password_reset(user) -> None:
    from app.auth.password_links import Purpose, link_for, max_age
    from app.mail.services import queue_message

    queue_message("password_reset", recipient_of(user),
                  context={"link": link_for(user, Purpose.RESET), "minutes": max_age(Purpose.RESET) // 60})


def queue_sign_in_paused(user, failures: int, dedupe_key: str) -> None:
    from app.links import link_to
    from app.mail.services import queue_message

    queue_message("sign_in_paused", recipient_of(user), dedupe_key=dedupe_key,
                  context={"failures": failures, "reset_url": link_to("auth.forgot_password")})
