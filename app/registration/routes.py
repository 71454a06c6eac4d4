from flask import Blueprint

from app.registration import models  # noqa: F401

bp = Blueprint("registration", __name__)
manage_bp = Blueprint("registration_manage", __name__, url_prefix="/manage/events/<slug>/participants")
