"""The bundled city-diplomacy dataset (`data/demo/`), ingested through the ordinary ingesters.

The facts come from five German documents on city diplomacy (see data/demo/SOURCES.md);
each file is one kind of relation in the format its ingester reads.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from importlib import resources
from pathlib import Path

from .contacts import ingest_contacts
from .memberships import ingest_memberships
from .partnerships import ingest_partnerships
from .pipeline import IngestSummary, Tracker, untracked
from .ties import ingest_ties

BUNDLED_FILES: tuple[tuple[str, Callable[..., IngestSummary]], ...] = (
    ("partnerships.csv", ingest_partnerships),
    ("memberships.csv", ingest_memberships),
    ("contacts.csv", ingest_contacts),
    ("ties.csv", ingest_ties),
)
SOURCE_PREFIX = "citydiplo-demo"


def ingest_bundled_dataset(
    store: str | Path | None = None,
    *,
    report_dir: str | Path = ".",
    track: Tracker = untracked,
) -> list[IngestSummary]:
    """Ingest every file of the bundled dataset (each one source, re-ingest adds nothing)."""
    folder = resources.files("citydiplo").joinpath("data/demo")
    summaries = []
    with ExitStack() as stack:
        for name, ingest in BUNDLED_FILES:
            path = stack.enter_context(resources.as_file(folder.joinpath(name)))
            summaries.append(
                ingest(
                    path,
                    store=store,
                    source_name=f"{SOURCE_PREFIX}-{Path(name).stem}",
                    report_dir=report_dir,
                    track=track,
                )
            )
    return summaries
