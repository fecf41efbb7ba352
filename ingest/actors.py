"""Which node a network, federal body, programme, association, company or country is.

Order of evidence: the built-in registry (`data/registry/*.csv`: name variants in English,
German and French, QID, founding year, seat, parent body), so that 'Klima-Bündnis' and
'Climate Alliance' meet; a Wikidata QID in the input; an actor the store already holds
under that name; else a new node minted from name, type and country, reported in the summary
as created on the fly.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..graph import vocab
from ..graph.records import Actor, ActorDetails, Place, ResolvedPlace
from ..graph.store import GraphStore
from .countries import fold, resolve_country

ACTOR_TYPES = (
    "CityNetwork",
    "FederalBody",
    "Programme",
    "Association",
    "Organisation",
    "Project",
    "Asset",
    "Country",
)


@dataclass(frozen=True)
class RegistryEntry:
    """One actor the registry knows, with every name it goes by."""

    entity_type: str
    name: str
    names: tuple[str, ...]
    qid: str | None
    country: str | None
    founded: int | None
    seat: Place | None
    part_of: str | None
    description: str | None

    def details(self, actor: Actor) -> ActorDetails:
        parent = registry().get(fold(self.part_of)) if self.part_of else None
        return ActorDetails(
            actor,
            located_in=self.seat,
            part_of=Actor(parent.name, parent.entity_type, parent.country, parent.qid)
            if parent
            else None,
            founded=self.founded,
            alternate_names=tuple(n for n in self.names if n != self.name),
            description=self.description,
        )


REGISTRY_COLUMNS = (
    "type",
    "name",
    "name_de",
    "name_fr",
    "aliases",
    "qid",
    "country",
    "founded",
    "seat",
    "seat_country",
    "part_of",
    "description",
)


def _registry_rows():
    folder = resources.files("citydiplo").joinpath("data/registry")
    for file in sorted(folder.iterdir(), key=lambda f: f.name):
        if file.name.endswith(".csv") and not file.name.startswith("climactor"):
            yield from csv.DictReader(io.StringIO(file.read_text("utf-8")))


@cache
def registry() -> dict[str, RegistryEntry]:
    """Folded name or variant → registry entry, from every file in data/registry/."""
    index: dict[str, RegistryEntry] = {}
    for row in _registry_rows():
        names = tuple(
            dict.fromkeys(
                n.strip()
                for n in (row["name"], row["name_de"], row["name_fr"], *row["aliases"].split("|"))
                if n.strip()
            )
        )
        seat = Place(row["seat"], row["seat_country"] or None) if row["seat"] else None
        entry = RegistryEntry(
            row["type"],
            row["name"],
            names,
            row["qid"] or None,
            row["country"] or None,
            int(row["founded"]) if row["founded"] else None,
            seat,
            row["part_of"] or None,
            row["description"] or None,
        )
        for name in names:
            index[fold(name)] = entry
    return index


def known_actors(store: GraphStore) -> dict[str, str]:
    """Folded name or variant → IRI of a non-city actor already in the store."""
    rows = store.select(
        """SELECT DISTINCT ?actor ?name WHERE {
             ?actor a ?class ; rdfs:label|schema:alternateName ?name .
             VALUES ?class { cd:CityNetwork cd:FederalBody cd:Programme cd:Association
                             cd:Organisation cd:Project cd:Asset }
           }"""
    )
    return {fold(row["name"]): row["actor"] for row in rows}


class ActorResolver:
    """Resolves the actors of one ingest; remembers those created on the fly."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known = known
        self.created: dict[str, list[str]] = {}
        self.details: list[ActorDetails] = []
        self._cache: dict[Actor, ResolvedPlace] = {}

    def resolve(self, actor: Actor) -> ResolvedPlace:
        if actor not in self._cache:
            self._cache[actor] = self._resolve(actor)
        return self._cache[actor]

    def _resolve(self, actor: Actor) -> ResolvedPlace:
        if actor.entity_type == "Country":
            country = resolve_country(actor.country or actor.name) or resolve_country(actor.name)
            if country is None:
                raise ValueError(f"unknown country {actor.name!r}")
            return ResolvedPlace(
                vocab.country_iri(country.iso2).value,
                country.name,
                "Country",
                "registry",
                country_iso2=country.iso2,
                country_name=country.name,
            )
        entry = registry().get(fold(actor.name))
        if entry is not None:
            canonical = Actor(entry.name, entry.entity_type, entry.country, entry.qid)
            self.details.append(entry.details(canonical))
            return self._resolved(canonical, "registry")
        if actor.qid:
            return self._resolved(actor, "qid")
        known = self.known.get(fold(actor.name))
        if known is not None:
            return self._resolved(actor, "known", known)
        self.created.setdefault(actor.entity_type, []).append(actor.name)
        return self._resolved(actor, "new")

    def _resolved(self, actor: Actor, outcome: str, iri: str | None = None) -> ResolvedPlace:
        country = resolve_country(actor.country)
        iso2 = country.iso2 if country else None
        return ResolvedPlace(
            iri
            or vocab.entity_iri(
                actor.entity_type, qid=actor.qid, name=actor.name, country=iso2
            ).value,
            actor.name,
            actor.entity_type,
            outcome,
            country_iso2=iso2,
            country_name=country.name if country else None,
            qid=actor.qid,
        )
