"""The goals' French names as the United Nations publish them: organisers and readers recognise them
word for word, so the shipped copy of the list must not drift from the official short titles."""

from app.capture.reference import goals

UN_FRENCH_SHORT_TITLES = [
    "Pas de pauvreté",
    "Faim «\u00a0zéro\u00a0»",
    "Bonne santé et bien-être",
    "Éducation de qualité",
    "Égalité entre les sexes",
    "Eau propre et assainissement",
    "Énergie propre et d’un coût abordable",
    "Travail décent et croissance économique",
    "Industrie, innovation et infrastructure",
    "Inégalités réduites",
    "Villes et communautés durables",
    "Consommation et production responsables",
    "Mesures relatives à la lutte contre les changements climatiques",
    "Vie aquatique",
    "Vie terrestre",
    "Paix, justice et institutions efficaces",
    "Partenariats pour la réalisation des objectifs",
]


def test_the_goals_french_names_are_the_uns_official_short_titles():
    assert [goal.short("fr") for goal in goals()] == UN_FRENCH_SHORT_TITLES


def test_no_goal_name_drops_the_accent_of_a_capital():
    for goal in goals():
        assert not goal.short("fr").startswith(("Energ", "Education", "Egalit"))
