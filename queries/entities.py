"""Finding an entity by the name a user types: any label or variant, any case or accent, and
(for cities) any name GeoNames knows, as in ingest: 'Cologne' finds Köln."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..errors import QueryError
from ..graph.store import GraphStore
from ..ingest.countries import fold
from ..ingest.places import gazetteer

_NAMES = """
SELECT DISTINCT ?entity ?name ?class ?iso2 WHERE {
  ?entity a ?class ; rdfs:label|schema:alternateName ?name .
  OPTIONAL { ?entity cd:country/cd:iso2 ?iso2 }
  VALUES ?class { cd:City cd:Region cd:Country cd:CityNetwork cd:FederalBody cd:Programme
                  cd:Association cd:Organisation cd:Project cd:Asset }
}
"""


@dataclass(frozen=True)
class EntityMatch:
    iri: str
    name: str
    type: str
    country: str | None


def entity_index(store: GraphStore) -> dict[str, list[EntityMatch]]:
    """Folded name or variant → the entities that carry it."""
    index: dict[str, list[EntityMatch]] = {}
    for row in store.select(_NAMES):
        match = EntityMatch(row["entity"], row["name"], row["class"].rsplit("#", 1)[1], row["iso2"])
        matches = index.setdefault(fold(row["name"]), [])
        if all(m.iri != match.iri for m in matches):
            matches.append(match)
    return index


def find_entity(index: dict[str, list[EntityMatch]], name: str) -> EntityMatch:
    """The one entity a name (or an IRI) means; QueryError with suggestions otherwise."""
    if name.startswith(("http://", "https://")):
        for matches in index.values():
            for match in matches:
                if match.iri == name:
                    return match
        raise QueryError(f"no entity has the IRI {name}")
    matches = index.get(fold(name), []) or _by_geonames_names(index, name)
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = "; ".join(f"{m.name} ({m.type}, {m.iri})" for m in matches)
        raise QueryError(f"{name!r} is ambiguous: {listed}. Give the IRI instead.")
    close = difflib.get_close_matches(fold(name), list(index), n=5, cutoff=0.75)
    suggestions = sorted({index[key][0].name for key in close})
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    raise QueryError(f"no entity is called {name!r}{hint}")


def _by_geonames_names(index: dict[str, list[EntityMatch]], name: str) -> list[EntityMatch]:
    """Entities whose name is GeoNames' name for a place also called `name` (same country)."""
    found: dict[str, EntityMatch] = {}
    for place in gazetteer().get(fold(name), []):
        for match in index.get(fold(place.name), []):
            if match.country == place.iso2:
                found[match.iri] = match
    return list(found.values())
