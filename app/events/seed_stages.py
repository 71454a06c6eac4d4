"""`flask seed-demo`, continued: the demo event's background document and its two-day agenda.

Written straight to the tables (not through the services), so that seeding needs no account and
records no "changes" on the agenda of an event that is already open. Each part is added only when
the event has none yet.
"""

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from app.agenda.models import AgendaItem, AgendaPresenter, ItemKind
from app.agenda.services import template_values
from app.background.models import BackgroundDocument
from app.db_types import utcnow
from app.events.models import Event
from app.extensions import db
from app.markdown import render_markdown
from app.timezones import local_to_utc

BACKGROUND_EN = """\
## Why this meeting

Access to decent housing is the first step of inclusion, and often the hardest. Newcomers face
landlords who ask for guarantees they cannot give, long waiting lists for social housing and a
private market that is tight in most Mediterranean cities.

## What cities already do

- **Rental guarantees** backed by the municipality, so that landlords accept tenants without a
  payslip or a guarantor.
- **Social intermediation agencies** that rent flats on the private market and sublet them with
  support.
- **The first months after arrival**: temporary housing linked to language courses and job search.

## Questions for the two days

1. Which guarantees convince private landlords, and at what cost for the city?
2. How can cities work with national reception systems instead of duplicating them?
3. What should the network recommend to cities that start from nothing?

Read more about the network on the [ICMPD website](https://www.icmpd.org/).
"""

BACKGROUND_FR = """\
## Pourquoi cette rencontre

L'accès à un logement décent est la première étape de l'inclusion, et souvent la plus difficile.
Les nouveaux arrivants se heurtent à des propriétaires qui exigent des garanties qu'ils ne peuvent
pas fournir, à de longues listes d'attente pour le logement social et à un marché privé tendu dans
la plupart des villes méditerranéennes.

## Ce que les villes font déjà

- **Des garanties locatives** apportées par la municipalité, pour que les propriétaires acceptent
  des locataires sans fiche de paie ni garant.
- **Des agences d'intermédiation sociale** qui louent des logements sur le marché privé et les
  sous-louent avec un accompagnement.
- **Les premiers mois après l'arrivée** : un hébergement temporaire lié aux cours de langue et à la
  recherche d'emploi.

## Questions pour les deux journées

1. Quelles garanties convainquent les propriétaires privés, et à quel coût pour la ville ?
2. Comment les villes peuvent-elles travailler avec les dispositifs nationaux d'accueil plutôt que
   de les dupliquer ?
3. Que doit recommander le réseau aux villes qui partent de rien ?

Pour en savoir plus sur le réseau : le [site de l'ICMPD](https://www.icmpd.org/).
"""

ROOMS = {
    ItemKind.OPENING: "Sala delle Colonne",
    ItemKind.CHALLENGES: "Sala delle Colonne",
    ItemKind.LOCAL_SOLUTIONS: "Sala delle Colonne",
    ItemKind.FIELD_VISIT: "Meeting point: Palazzo Civico entrance; visit of Via Arquata social housing",
    ItemKind.RECOMMENDATIONS: "Sala Marmi and Sala Rossa (working groups)",
    ItemKind.CLOSING: "Sala delle Colonne",
}
PRESENTERS = {
    ItemKind.OPENING: [("Giulia Rossi", "City of Turin", "Turin")],
    ItemKind.LOCAL_SOLUTIONS: [("Karim Ben Salah", "Municipality of Tunis", "Tunis"),
                               ("Lina Haddad", "Greater Amman Municipality", "Amman"),
                               ("Claire Martin", "Métropole de Lyon", "Lyon")],
    ItemKind.FIELD_VISIT: [("Marco Bianchi", "Agenzia Sociale per la Locazione", "Turin")],
}


def seed_background(event: Event) -> int:
    if db.session.scalar(select(BackgroundDocument.id).where(BackgroundDocument.event_id == event.id)):
        return 0
    now = utcnow()
    db.session.add(BackgroundDocument(
        event_id=event.id, draft_markdown_en=BACKGROUND_EN, draft_markdown_fr=BACKGROUND_FR, draft_updated_at=now,
        published_markdown_en=BACKGROUND_EN, published_markdown_fr=BACKGROUND_FR,
        published_html_en=render_markdown(BACKGROUND_EN), published_html_fr=render_markdown(BACKGROUND_FR),
        first_published_at=now, published_at=now,
    ))
    db.session.flush()
    return 1


def seed_agenda(event: Event) -> int:
    if db.session.scalar(select(func.count(AgendaItem.id)).where(AgendaItem.event_id == event.id)):
        return 0
    now = utcnow()
    items = []
    for values in template_values(event):
        values.pop("presenters")
        item = AgendaItem(event_id=event.id, created_at=now, updated_at=now, sequence=0, **values)
        item.room = ROOMS[item.kind]
        item.presenters = [AgendaPresenter(position=n, name=name, organisation=organisation, city=city)
                           for n, (name, organisation, city) in enumerate(PRESENTERS.get(item.kind, []))]
        items.append(item)
    for day_index in range(2):
        day = event.start_date + timedelta(days=day_index)
        items.append(AgendaItem(
            event_id=event.id, kind=ItemKind.BREAK, title_en="Lunch", title_fr="Déjeuner", room="Cortile",
            starts_at=local_to_utc(datetime.combine(day, time(12, 30)), event.timezone),
            ends_at=local_to_utc(datetime.combine(day, time(14, 0)), event.timezone),
            created_at=now, updated_at=now, sequence=0,
        ))
    db.session.add_all(items)
    db.session.flush()
    return len(items)


def link_demo_presenters(event: Event) -> int:
    """Demo presenters who also registered (a confirmed participant of the same name) become linked
    to their registration, as an organiser would choose them in the item form."""
    from app.registration.models import Registration, RegistrationStatus

    registrations = {r.name: r for r in db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.CONFIRMED))}
    presenters = db.session.scalars(
        select(AgendaPresenter).join(AgendaItem, AgendaPresenter.item_id == AgendaItem.id)
        .where(AgendaItem.event_id == event.id, AgendaPresenter.registration_id.is_(None)))
    linked = 0
    for presenter in presenters:
        registration = registrations.get(presenter.name)
        if registration is not None:
            presenter.registration_id = registration.id
            presenter.name = presenter.organisation = presenter.city = presenter.email = ""
            linked += 1
    db.session.flush()
    return linked
