"""City networks and their members: `citydiplo networks` and `citydiplo members NETWORK`.

Memberships are W3C ORG nodes (`org:member`, `org:organization`), so members are counted
through them, distinctly: a city that two sources, or two rows, name as a member counts once.
"""

from __future__ import annotations

import difflib
from typing import Any

from ..errors import QueryError
from ..graph import vocab
from ..graph.store import GraphStore
from ..ingest.countries import fold

# Cities and regions apart: a region is typed cd:City as well (it acts like a city).
MEMBER_COUNTS = """
SELECT ?network (COUNT(DISTINCT ?member) AS ?members) (COUNT(DISTINCT ?city) AS ?cities)
       (COUNT(DISTINCT ?region) AS ?regions) WHERE {
  ?network a cd:CityNetwork .
  OPTIONAL {
    ?membership org:organization ?network ; org:member ?member .
    OPTIONAL { ?member a cd:Region . BIND(?member AS ?region) }
    OPTIONAL {
      ?member a cd:City . FILTER NOT EXISTS { ?member a cd:Region } BIND(?member AS ?city)
    }
  }
} GROUP BY ?network
"""

NETWORK_FACTS = """
SELECT ?network (SAMPLE(?label) AS ?name) (SAMPLE(?year) AS ?founded)
       (SAMPLE(?seatName) AS ?seat) WHERE {
  ?network a cd:CityNetwork ; rdfs:label ?label .
  OPTIONAL { ?network schema:foundingDate ?year }
  OPTIONAL { ?network cd:locatedIn/rdfs:label ?seatName }
} GROUP BY ?network
"""

# Anything that has members can be asked for them, not only what is typed a city network.
ORGANISATION_NAMES = """
SELECT DISTINCT ?organisation ?label ?name WHERE {
  { ?organisation a cd:CityNetwork }
  UNION { SELECT DISTINCT ?organisation WHERE { ?membership org:organization ?organisation } }
  ?organisation rdfs:label ?label ; rdfs:label|schema:alternateName ?name .
}
"""

# One row per member and source; a member stated in several rows of one source (ClimActor
# lists Bangalore and Bengaluru) shows the first.
MEMBERS = """
SELECT ?network ?member ?source (MIN(?row) AS ?first_row) (SAMPLE(?label) AS ?name)
       (GROUP_CONCAT(DISTINCT STR(?class); separator=" ") AS ?classes)
       (SAMPLE(?iso2) AS ?country) (SAMPLE(?memberRole) AS ?role)
       (SAMPLE(?start) AS ?since) (SAMPLE(?end) AS ?until)
       (GROUP_CONCAT(DISTINCT STR(?year); separator=" ") AS ?observed) WHERE {
  ?membership org:organization ?network ; org:member ?member ; prov:wasDerivedFrom ?record .
  ?record cd:row ?row ; prov:hadPrimarySource/schema:name ?source .
  ?member a ?class . FILTER STRSTARTS(STR(?class), STR(cd:))
  OPTIONAL { ?member rdfs:label ?label }
  OPTIONAL { ?member cd:country/cd:iso2 ?iso2 }
  OPTIONAL { ?membership cd:role ?memberRole }
  OPTIONAL { ?membership cd:since ?start }
  OPTIONAL { ?membership cd:until ?end }
  OPTIONAL { ?membership cd:observedIn ?year }
} GROUP BY ?network ?member ?source
"""


def network_members_counts(store: GraphStore) -> list[dict[str, Any]]:
    """Every city network with its number of distinct members, cities and regions.

    Returns
    -------
    list of {"name", "members", "cities", "regions", "founded", "seat", "iri"}, one per entity
    of class cd:CityNetwork, most members first (then by name). `cities` are members typed
    cd:City but not cd:Region, `regions` members typed cd:Region; other members (associations,
    say) count in `members` only. `founded` (a year) and `seat` (a place name) are None when
    the graph does not know them.

    Example
    -------
    >>> with open_store(".citydiplo") as store:  # doctest: +SKIP
    ...     network_members_counts(store)[0]
    {'name': 'Non-State Actor Zone for Climate Action', 'members': 9409, ...}

    Notes
    -----
    Two grouped queries, one pass over the membership nodes and one over the networks; the
    counts are COUNT(DISTINCT …) so a triple stated by two sources counts once.
    """
    facts = {row["network"]: row for row in store.select(NETWORK_FACTS)}
    rows = []
    for row in store.select(MEMBER_COUNTS):
        about = facts.get(row["network"], {})
        rows.append(
            {
                "name": about.get("name"),
                "members": row["members"],
                "cities": row["cities"],
                "regions": row["regions"],
                "founded": int(about["founded"]) if about.get("founded") else None,
                "seat": about.get("seat"),
                "iri": row["network"],
            }
        )
    rows.sort(key=lambda r: (-r["members"], fold(r["name"] or ""), r["iri"]))
    return rows


def find_network(store: GraphStore, name: str) -> tuple[str, str]:
    """The IRI and name of the network (or other organisation with members) `name` means, in
    any case, accent or language variant; QueryError with the closest names otherwise."""
    names: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    for row in store.select(ORGANISATION_NAMES):
        names.setdefault(fold(row["name"]), set()).add(row["organisation"])
        labels[row["organisation"]] = min(row["label"], labels.get(row["organisation"], "\uffff"))
    matches = names.get(fold(name), {})
    if len(matches) == 1:
        iri = next(iter(matches))
        return iri, labels[iri]
    if matches:
        listed = "; ".join(f"{labels[iri]} ({iri})" for iri in sorted(matches))
        raise QueryError(f"{name!r} names several organisations: {listed}")
    close = difflib.get_close_matches(fold(name), list(names), n=5, cutoff=0.6)
    suggestions = sorted({labels[iri] for key in close for iri in names[key]})
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    raise QueryError(f"no network is called {name!r}{hint} (citydiplo networks lists them)")


def network_members(store: GraphStore, network_name: str) -> list[dict[str, Any]]:
    """The members of one network, found by any of its names ('Klima-Bündnis', 'Climate
    Alliance').

    Returns
    -------
    list of {"name", "type", "country", "role", "since", "until", "observed", "source",
    "row", "iri"}, ordered by name: one per member and source that states the membership
    (normally one per member). `type` is City, Region or the member's actor class;
    `country` ISO alpha-2; `observed` the years in which a source saw the membership;
    `row` the first row of that source stating it. Raises QueryError, with the closest
    names, for a name no network has.

    Notes
    -----
    One grouped query over the network's membership nodes and their provenance records.
    """
    iri, _ = find_network(store, network_name)
    rows = []
    for row in store.select(MEMBERS, network=iri):
        classes = {c.removeprefix(vocab.NS) for c in (row["classes"] or "").split()}
        rows.append(
            {
                "name": row["name"],
                "type": _member_type(classes),
                "country": row["country"],
                "role": row["role"],
                "since": row["since"],
                "until": row["until"],
                "observed": sorted(int(year) for year in (row["observed"] or "").split()),
                "source": row["source"],
                "row": row["first_row"],
                "iri": row["member"],
            }
        )
    rows.sort(key=lambda r: (fold(r["name"] or ""), r["iri"], r["source"]))
    return rows


def _member_type(classes: set[str]) -> str:
    if "Region" in classes:
        return "Region"
    if "City" in classes:
        return "City"
    return min(classes & set(vocab.ENTITY_CLASSES), default="Organisation")
