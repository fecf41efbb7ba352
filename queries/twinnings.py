"""Questions about twinnings that SPARQL answers directly."""

from __future__ import annotations

from typing import Any

from ..graph.store import GraphStore

TOP_TWINNED = """
SELECT ?city (SAMPLE(?label) AS ?name) (SAMPLE(?iso2) AS ?country) ?partners WHERE {
  {
    SELECT ?city (COUNT(DISTINCT ?partner) AS ?partners) WHERE {
      ?twinning a cd:Twinning ; cd:partner ?city, ?partner .
      FILTER (?city != ?partner)
    } GROUP BY ?city ORDER BY DESC(?partners) ?city LIMIT %d
  }
  OPTIONAL { ?city rdfs:label ?label }
  OPTIONAL { ?city cd:country/cd:iso2 ?iso2 }
} GROUP BY ?city ?partners ORDER BY DESC(?partners) ?city
"""


def top_twinned(store: GraphStore, limit: int = 10) -> list[dict[str, Any]]:
    """The cities with the most distinct twinning partners (any kind), most first.

    Ties are broken by IRI, so the answer is stable. Complexity: one pass over the twinning
    nodes, grouped by city.
    """
    # LIMIT takes no variable in SPARQL; an int is formatted in, never text.
    return store.select(TOP_TWINNED % int(limit))
