"""How states and formats read for people, in both languages."""

from flask_babel import lazy_gettext as _l

from app.events.models import EventFormat, EventState

STATE_LABELS = {
    EventState.DRAFT: _l("Draft"),
    # Open: public, whether registration has opened yet or not (the registration stage says which).
    EventState.OPEN: _l("Open"),
    EventState.CLOSED: _l("Registration closed"),
    EventState.FINISHED: _l("Finished"),
    EventState.CANCELLED: _l("Cancelled"),
}

# What the button that moves an event into a state says.
TRANSITION_LABELS = {
    EventState.DRAFT: _l("Back to draft"),
    EventState.OPEN: _l("Open the event"),
    EventState.CLOSED: _l("Close registration"),
    EventState.FINISHED: _l("Mark as finished"),
    EventState.CANCELLED: _l("Cancel the event"),
}

FORMAT_LABELS = {
    EventFormat.IN_PERSON: _l("In person"),
    EventFormat.DIGITAL: _l("Online"),
    EventFormat.HYBRID: _l("Hybrid (in person and online)"),
}

# Whole sentences, so that each language writes its own ("The theme has no French version yet.").
MISSING_TRANSLATION = {
    ("theme", "en"): _l("The theme has no English version yet."),
    ("theme", "fr"): _l("The theme has no French version yet."),
    ("summary", "en"): _l("The summary has no English version yet."),
    ("summary", "fr"): _l("The summary has no French version yet."),
}

LANGUAGE_LABELS = {"en": _l("English"), "fr": _l("French")}
