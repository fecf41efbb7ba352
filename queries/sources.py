"""Where the graph's facts came from: one row per ingested source."""

from __future__ import annotations

from typing import Any

from ..graph.store import GraphStore


def list_sources(store: GraphStore) -> list[dict[str, Any]]:
    """Every source with its file, checksum, retrieval date, rows, and statements it holds."""
    return store.select(
        """SELECT ?name ?format ?file ?sha256 ?retrieved ?rows ?graph
                  (COUNT(*) AS ?statements) WHERE {
             GRAPH ?graph {
               ?source a cd:Source ; schema:name ?name ; cd:format ?format ; cd:file ?file ;
                       cd:sha256 ?sha256 ; cd:retrieved ?retrieved ; cd:rowCount ?rows .
               ?s ?p ?o .
             }
           } GROUP BY ?name ?format ?file ?sha256 ?retrieved ?rows ?graph ORDER BY ?name"""
    )
