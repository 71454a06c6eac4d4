"""How capture's kinds, statuses and levels read for people, in both languages."""

from flask_babel import lazy_gettext as _l

from app.capture.models import ActorLevel, EntryKind, FollowUpStatus, TranslationStatus

KIND_LABELS = {
    EntryKind.CHALLENGE: _l("Common challenge"),
    EntryKind.OPPORTUNITY: _l("Opportunity"),
    EntryKind.CASE: _l("Local solution (case)"),
    EntryKind.OBSERVATION: _l("Field-visit observation"),
    EntryKind.RECOMMENDATION: _l("Recommendation"),
}

KIND_HEADINGS = {
    EntryKind.CHALLENGE: _l("Common challenges"),
    EntryKind.OPPORTUNITY: _l("Opportunities"),
    EntryKind.CASE: _l("Local solutions"),
    EntryKind.OBSERVATION: _l("Field-visit observations"),
    EntryKind.RECOMMENDATION: _l("Recommendations"),
}

TRANSLATION_LABELS = {
    TranslationStatus.MISSING: _l("Translation missing"),
    TranslationStatus.TO_REVIEW: _l("Translation to review"),
    TranslationStatus.DONE: _l("Translation done"),
}

ACTOR_LEVEL_LABELS = {
    ActorLevel.LOCAL: _l("Local level"),
    ActorLevel.NATIONAL: _l("National level"),
    ActorLevel.REGIONAL: _l("Regional level"),
    ActorLevel.INTERNATIONAL: _l("International level"),
}

FOLLOW_UP_LABELS = {
    FollowUpStatus.PLANNED: _l("Planned"),
    FollowUpStatus.IN_PROGRESS: _l("In progress"),
    FollowUpStatus.DONE: _l("Done"),
    FollowUpStatus.DROPPED: _l("Dropped"),
}

# Field names as the history lists what changed.
FIELD_LABELS = {
    "title_en": _l("Title in English"),
    "title_fr": _l("Title in French"),
    "text_en": _l("Text in English"),
    "text_fr": _l("Text in French"),
    "language": _l("Written in"),
    "translation_status": _l("Translation"),
    "city": _l("Presenting city"),
    "organisation": _l("Organisation"),
    "slides_url": _l("Slides"),
    "pdf_filename": _l("PDF"),
    "agenda_item_id": _l("Agenda item"),
    "field_visit_id": _l("Field visit"),
    "visit_label": _l("Visit"),
    "actor_level": _l("Who should act"),
    "actor": _l("Actor"),
    "working_group": _l("Working group"),
    "policy_areas": _l("Policy areas"),
    "sdgs": _l("SDG goals and targets"),
    "answers": _l("Answers"),
    "removed": _l("Removed"),
}
