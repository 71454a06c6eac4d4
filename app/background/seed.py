"""The demo event's published background document, for `flask seed-demo` (written straight to the
table: seeding needs no account). Added only when the event has none yet."""

from sqlalchemy import select

from app.background.models import BackgroundDocument
from app.db_types import utcnow
from app.events.models import Event
from app.extensions import db
from app.markdown import render_markdown

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
- **Les premiers mois après l'arrivée** : un hébergement temporaire lié aux cours de langue et à la
  recherche d'emploi.

## Questions pour les deux journées

1. Quelles garanties convainquent les propriétaires privés, et à quel coût pour la ville ?
2. Comment les villes peuvent-elles travailler avec les dispositifs nationaux d'accueil plutôt que
   de les dupliquer ?
3. Que doit recommander le réseau aux villes qui partent de rien ?

Pour en savoir plus sur le réseau : le [site de l'ICMPD](https://www.icmpd.org/).
"""


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


def seed_scale_backgrounds(context) -> int:
    """`flask seed-demo --scale`: every event's published background document, on its own theme."""
    added = 0
    for event in context.events:
        if db.session.scalar(select(BackgroundDocument.id).where(BackgroundDocument.event_id == event.id)):
            continue
        text_en = f"# {event.theme_en}\n\n" + BACKGROUND_EN.split("\n", 1)[1]
        text_fr = f"# {event.theme_fr}\n\n" + BACKGROUND_FR.split("\n", 1)[1]
        at = event.created_at or utcnow()
        db.session.add(BackgroundDocument(
            event_id=event.id, draft_markdown_en=text_en, draft_markdown_fr=text_fr, draft_updated_at=at,
            published_markdown_en=text_en, published_markdown_fr=text_fr, published_html_en=render_markdown(text_en),
            published_html_fr=render_markdown(text_fr), first_published_at=at, published_at=at))
        added += 1
    db.session.flush()
    return added
