"""The library's one write: a city's follow-up, kept current from its page. The rules are capture's
(app.capture.curation.record_follow_up: the city's organisers and administrators, finished events,
final recommendations); this only finds the recommendation. Flush, never commit."""

from flask_babel import lazy_gettext as _l

from app.capture import curation
from app.capture.models import FollowUp
from app.domain import DomainError
from app.events.models import City
from app.library import queries


def record_city_follow_up(actor, city: City, entry_id: int, data: curation.FollowUpInput) -> FollowUp:
    entry = queries.recommendation(entry_id)
    if entry is None:
        raise DomainError(_l("This recommendation does not exist."))
    return curation.record_follow_up(actor, entry.event, entry, data)
