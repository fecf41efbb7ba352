"""`citydiplo serve`: the SPARQL 1.1 endpoint (issue 7; being built)."""

from __future__ import annotations


def serve() -> None:
    """Serve the store as a SPARQL 1.1 endpoint."""
