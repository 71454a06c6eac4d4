"""How the note's sections and figures read, in both languages (rendered under the note's language)."""

from flask_babel import lazy_gettext as _l

SECTION_TITLES = {
    "foreword": _l("Foreword by the host city"),
    "executive_summary": _l("Executive summary"),
    "key_messages": _l("Key messages"),
    "context": _l("Context"),
    "challenges": _l("Common challenges and opportunities"),
    "solutions": _l("Local solutions presented"),
    "field_visit": _l("What the field visit showed"),
    "recommendations": _l("Recommendations"),
    "next_steps": _l("Next steps"),
    "participation": _l("Participation"),
    "versions": _l("Versions of this note"),
}

# The written parts, as the editor names them, with what each is for.
PART_LABELS = {
    "foreword": _l("Foreword by the host city"),
    "executive_summary": _l("Executive summary"),
    "key_messages": _l("Key messages"),
    "next_steps": _l("Next steps"),
}
PART_HINTS = {
    "foreword": _l("A few words from the host city (its mayor or deputy mayor, say), signed."),
    "executive_summary": _l("The note in a few paragraphs, for someone who reads nothing else."),
    "key_messages": _l("Three to six messages the network takes from the meeting, as a list."),
    "next_steps": _l("What happens next: commitments, the next event, how cities report their follow-up."),
}

PARTICIPATION_LABELS = {
    "participants": _l("participants"),
    "organisations": _l("organisations"),
    "cities": _l("cities"),
    "countries": _l("countries"),
    "in_person": _l("in person"),
    "online": _l("online"),
}

LANGUAGE_LABELS = {"en": _l("English"), "fr": _l("French")}
