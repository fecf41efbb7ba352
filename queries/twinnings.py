"""Questions about twinnings that SPARQL answers directly."""

from __future__ import annotations

from typing import Any

from ..graph.store import GraphStore

# Counting the cd:twinnedWith shortcut needs no term of the store decoded, which is what
# makes these fast on disk; sorting by name inside the query would decode every city.
# LIMIT and HAVING take no variables in SPARQL: ints are formatted in, never text.
PARTNER_COUNT_AT_RANK = """
SELECT (COUNT(DISTINCT ?partner) AS ?partners) WHERE {
  ?city cd:twinnedWith ?partner
} GROUP BY ?city ORDER BY DESC(?partners) LIMIT %d
"""

CITIES_WITH_AT_LEAST = """
SELECT ?city (COUNT(DISTINCT ?partner) AS ?partners) WHERE {
  ?city cd:twinnedWith ?partner
} GROUP BY ?city HAVING (COUNT(DISTINCT ?partner) >= %d)
"""

CITY_NAME_AND_COUNTRY = """
SELECT ?city (SAMPLE(?label) AS ?name) (SAMPLE(?iso2) AS ?country) WHERE {
  OPTIONAL { ?city rdfs:label ?label }
  OPTIONAL { ?city cd:country/cd:iso2 ?iso2 }
} GROUP BY ?city
"""


def top_twinned(store: GraphStore, limit: int = 10) -> list[dict[str, Any]]:
    """The cities with the most distinct twinning partners (any kind), most first.

    Returns
    -------
    list of {"city", "name", "country", "partners"}, at most `limit`; equal counts are
    ordered by name, then IRI, so the answer is the same on every store holding the graph.

    Notes
    -----
    Two grouped passes over the shortcut triples (the count at rank `limit`, then every city
    with at least that count), then one lookup per listed city.
    """
    counts = store.select(PARTNER_COUNT_AT_RANK % int(limit))
    if not counts:
        return []
    ranked = store.select(CITIES_WITH_AT_LEAST % int(counts[-1]["partners"]))
    rows = [
        {**store.select(CITY_NAME_AND_COUNTRY, city=row["city"])[0], "partners": row["partners"]}
        for row in ranked
    ]
    rows.sort(key=lambda r: (-r["partners"], r["name"] or "", r["city"]))
    return rows[:limit]
