"""Where the network's cities are: a map of the Mediterranean drawn on the server as inline SVG.

No tiles and no downloads: the coasts are a hand-simplified outline (degrees, a few dozen points
each, good to a few tens of kilometres), projected equirectangularly with the longitudes shrunk
by the cosine of the map's middle latitude, so that the region keeps its familiar shape. The
cities' positions come from app/data/city_locations.csv (each city's centre; FAMSI's seat in
Córdoba), by English name: a city missing from it is listed under the map, not drawn.

Labels are placed beside their dot where they overlap no other dot or label (right, left, above,
below, in that order): the clusters of the Levant, Tunisia and the Strait of Gibraltar need it.
"""

import math
from dataclasses import dataclass
from functools import cache

from app.i18n import alphabetical

WEST, EAST, SOUTH, NORTH = -11.0, 38.0, 29.5, 52.5
SCALE = 20.0  # SVG units per degree of latitude
X_SCALE = SCALE * math.cos(math.radians((SOUTH + NORTH) / 2))
WIDTH = round((EAST - WEST) * X_SCALE)
HEIGHT = round((NORTH - SOUTH) * SCALE)
DOT_RADIUS = 5.0
LABEL_SIZE = 13.0  # the labels' font size, in SVG units
CHAR_WIDTH = 0.58 * LABEL_SIZE  # an average letter, for the labels' extent

# (longitude, latitude). The mainland runs from the Dutch coast down the Atlantic, along the
# northern shore of the Mediterranean to the Levant, back west along Africa, down Morocco's
# Atlantic coast, then round the map's frame.
MAINLAND = [
    (4.6, 52.5), (3.6, 51.4), (2.5, 51.1), (1.6, 50.9), (1.6, 50.2), (0.2, 49.5), (-1.3, 49.7), (-1.9, 49.7),
    (-1.6, 48.7), (-3.0, 48.8), (-4.7, 48.4), (-4.3, 47.8), (-2.5, 47.3), (-1.2, 46.2), (-1.2, 44.6),
    (-1.5, 43.4), (-3.8, 43.5), (-5.8, 43.6), (-8.0, 43.7), (-9.3, 43.0), (-8.9, 41.9), (-8.7, 40.6),
    (-9.5, 38.8), (-8.8, 38.3), (-8.9, 37.0), (-7.4, 37.2), (-6.4, 36.6), (-5.6, 36.0), (-5.3, 36.2),
    (-4.4, 36.7), (-2.1, 36.7), (-0.8, 37.6), (-0.5, 38.3), (0.2, 38.8), (-0.3, 39.4), (0.9, 40.7),
    (2.2, 41.4), (3.2, 41.9), (3.1, 42.4), (3.0, 43.2), (4.0, 43.5), (5.4, 43.2), (7.3, 43.7), (8.9, 44.4),
    (10.2, 43.9), (10.5, 42.9), (11.1, 42.4), (12.2, 41.8), (13.5, 41.2), (14.2, 40.8), (15.6, 40.0),
    (15.7, 38.9), (15.6, 38.0), (16.1, 38.0), (16.6, 38.5), (17.1, 39.0), (17.2, 40.4), (18.4, 39.8),
    (18.5, 40.2), (17.9, 40.6), (16.0, 41.4), (15.9, 41.9), (14.3, 42.4), (13.6, 43.5), (12.3, 44.5),
    (12.4, 45.4), (13.6, 45.7), (13.9, 44.8), (14.8, 45.1), (15.9, 43.6), (17.5, 43.0), (18.5, 42.4),
    (19.5, 41.8), (19.4, 40.4), (20.2, 39.6), (21.1, 38.3), (21.6, 36.9), (22.4, 36.4), (23.1, 36.5),
    (23.0, 37.6), (24.0, 37.7), (23.2, 38.6), (22.6, 39.4), (22.9, 40.4), (23.8, 40.3), (24.4, 40.9),
    (26.0, 40.8), (26.2, 39.5), (26.8, 38.4), (27.3, 37.0), (28.2, 36.7), (29.7, 36.2), (30.6, 36.8),
    (32.0, 36.5), (33.5, 36.1), (34.7, 36.8), (36.0, 36.9), (35.9, 36.3), (35.8, 35.5), (35.9, 34.9),
    (35.45, 33.9), (35.1, 33.1), (34.9, 32.4), (34.5, 31.5), (32.3, 31.2), (31.0, 31.6), (30.0, 31.4),
    (29.0, 30.9), (27.3, 31.4), (25.2, 31.6), (23.0, 32.6), (21.6, 32.9), (20.1, 32.1), (20.0, 31.0),
    (19.0, 30.3), (17.5, 30.9), (15.5, 31.6), (15.1, 32.4), (13.2, 32.9), (11.5, 33.2), (10.9, 33.8),
    (10.1, 33.9), (10.3, 34.3), (11.1, 34.8), (11.0, 35.5), (10.75, 35.9), (10.5, 36.4), (11.1, 37.1),
    (10.35, 36.85), (10.2, 37.3), (9.0, 37.2), (8.0, 36.9), (6.2, 37.0), (5.1, 36.7), (3.0, 36.8),
    (1.0, 36.5), (-0.6, 35.8), (-2.2, 35.1), (-3.0, 35.3), (-5.3, 35.9), (-5.92, 35.79), (-6.2, 35.2),
    (-6.9, 34.1), (-7.65, 33.62), (-8.5, 33.2), (-9.3, 32.5), (-9.8, 31.4), (-9.7, 30.4), (-9.9, SOUTH),
    (EAST, SOUTH), (EAST, NORTH),
]
ISLANDS = [
    [(1.7, 52.5), (1.4, 51.3), (0.4, 50.8), (-1.5, 50.7), (-3.5, 50.3), (-5.7, 50.1), (-4.2, 51.2),
     (-3.0, 51.5), (-5.2, 51.7), (-4.2, 52.3), (-4.1, 52.5)],  # Great Britain
    [(-6.1, 52.5), (-6.4, 52.2), (-8.0, 51.7), (-9.8, 51.5), (-10.3, 52.1), (-9.9, 52.5)],  # Ireland
    [(9.4, 43.0), (9.5, 42.0), (9.2, 41.4), (8.6, 41.7), (8.6, 42.4)],  # Corsica
    [(9.2, 41.2), (9.8, 40.5), (9.6, 39.2), (9.0, 39.0), (8.4, 39.0), (8.4, 40.0), (8.2, 40.9)],  # Sardinia
    [(12.4, 38.0), (13.4, 38.2), (15.6, 38.3), (15.1, 37.3), (15.1, 36.7), (14.3, 37.0), (12.6, 37.6)],  # Sicily
    [(23.5, 35.6), (24.2, 35.5), (26.3, 35.3), (26.2, 35.0), (24.8, 34.9), (23.5, 35.2)],  # Crete
    [(32.3, 35.0), (33.0, 35.4), (34.6, 35.7), (33.9, 35.0), (33.0, 34.6), (32.4, 34.7)],  # Cyprus
    [(2.4, 39.6), (3.1, 39.9), (3.5, 39.7), (3.0, 39.3), (2.7, 39.5)],  # Majorca
]
# Seas inside the mainland's outline.
INLAND_SEAS = [
    [(27.5, 42.5), (28.0, 43.4), (28.6, 44.3), (29.7, 45.2), (30.7, 46.5), (31.7, 46.6), (32.5, 45.4),
     (33.6, 44.5), (35.5, 45.1), (36.6, 45.3), (EAST, 44.6), (EAST, 41.0), (36.5, 41.3), (35.0, 42.0),
     (33.3, 42.0), (31.3, 41.1), (29.1, 41.2), (28.0, 41.6)],  # Black Sea
]


def project(latitude: float, longitude: float) -> tuple[float, float]:
    return round((longitude - WEST) * X_SCALE, 1), round((NORTH - latitude) * SCALE, 1)


def _path(outline: list[tuple[float, float]]) -> str:
    points = [project(latitude, longitude) for longitude, latitude in outline]
    return "M" + " L".join(f"{x:g},{y:g}" for x, y in points) + " Z"


@cache
def land_paths() -> tuple[str, ...]:
    return tuple(_path(outline) for outline in [MAINLAND, *ISLANDS])


@cache
def sea_paths() -> tuple[str, ...]:
    return tuple(_path(outline) for outline in INLAND_SEAS)


@cache
def city_locations() -> dict[str, tuple[float, float]]:
    """English name → (latitude, longitude)."""
    from app.events.seed import read_csv

    return {row["name_en"]: (float(row["latitude"]), float(row["longitude"]))
            for row in read_csv("city_locations.csv")}


@dataclass(frozen=True)
class MapCity:
    city: object
    name: str
    hosted: int  # public events it hosted
    x: float
    y: float
    label_x: float
    label_y: float
    label_anchor: str  # SVG text-anchor


@dataclass(frozen=True)
class NetworkMap:
    width: int
    height: int
    land: tuple[str, ...]
    seas: tuple[str, ...]
    cities: list[MapCity]  # drawn, west to east
    listed: list["ListedCity"]  # every city, by name: the map's text equivalent


@dataclass(frozen=True)
class ListedCity:
    city: object
    name: str
    hosted: int
    on_map: bool


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label_options(x: float, y: float, name: str) -> list[tuple[float, float, str, Box]]:
    width, gap = len(name) * CHAR_WIDTH, DOT_RADIUS + 3
    base = y + LABEL_SIZE * 0.35  # text sits on its baseline: this centres it on the dot
    return [
        (x + gap, base, "start", (x + gap, y - LABEL_SIZE / 2, x + gap + width, y + LABEL_SIZE / 2)),
        (x - gap, base, "end", (x - gap - width, y - LABEL_SIZE / 2, x - gap, y + LABEL_SIZE / 2)),
        (x, y - gap - 2, "middle", (x - width / 2, y - gap - LABEL_SIZE - 2, x + width / 2, y - gap)),
        (x, y + gap + LABEL_SIZE, "middle", (x - width / 2, y + gap, x + width / 2, y + gap + LABEL_SIZE + 2)),
    ]


def _inside(box: Box) -> bool:
    return box[0] >= 0 and box[1] >= 0 and box[2] <= WIDTH and box[3] <= HEIGHT


def network_map(cities: list, hosted: dict[int, int], name_of) -> NetworkMap:
    """The map of these cities; `hosted`: public events per host city id; `name_of(city)`: its
    name as the page shows it (the labels' lengths depend on the language)."""
    locations = city_locations()
    placed, unplaced = [], []
    for city in cities:
        if city.name_en in locations:
            placed.append((city, *project(*locations[city.name_en])))
        else:
            unplaced.append(city)
    placed.sort(key=lambda found: (found[1], found[2]))
    dots: list[Box] = [(x - DOT_RADIUS, y - DOT_RADIUS, x + DOT_RADIUS, y + DOT_RADIUS) for _city, x, y in placed]
    labels: list[Box] = []
    drawn = []
    for city, x, y in placed:
        name = name_of(city)
        options = [option for option in _label_options(x, y, name) if _inside(option[3])]
        own = (x - DOT_RADIUS, y - DOT_RADIUS, x + DOT_RADIUS, y + DOT_RADIUS)
        free = [option for option in options
                if not any(_overlaps(option[3], box) for box in labels)
                and not any(_overlaps(option[3], dot) for dot in dots if dot != own)]
        label_x, label_y, anchor, box = (free or options or _label_options(x, y, name))[0]
        labels.append(box)
        drawn.append(MapCity(city, name, hosted.get(city.id, 0), x, y, label_x, label_y, anchor))
    listed = [ListedCity(found.city, found.name, found.hosted, True) for found in drawn]
    listed += [ListedCity(city, name_of(city), hosted.get(city.id, 0), False) for city in unplaced]
    listed.sort(key=lambda found: alphabetical(found.name))
    return NetworkMap(WIDTH, HEIGHT, land_paths(), sea_paths(), drawn, listed)
