"""`citydiplo neo4j …`: mirror the graph into Neo4j, read it back, and query it there."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Annotated

import neo4j
import typer
from rich.progress import Progress

from ..errors import QueryError
from ..graph.store import open_store
from ..mirror.connection import Neo4jSettings, connect, resolve_settings, run
from ..mirror.pull import pull as pull_graph
from ..mirror.push import push as push_graph
from ..views.tabular import OutputFormat, print_rows
from .options import FormatOption, StoreOption, err

app = typer.Typer(help="Mirror the graph into Neo4j and query it there.", no_args_is_help=True)


class Backend(str, Enum):
    embedded = "embedded"
    neo4j = "neo4j"


BackendOption = Annotated[
    Backend,
    typer.Option(
        "--backend",
        help="Answer from the embedded store or from the Neo4j mirror (`citydiplo neo4j push`).",
    ),
]
UriOption = Annotated[
    str | None, typer.Option("--uri", help="Neo4j address [env NEO4J_URI, settings file].")
]
UserOption = Annotated[
    str | None, typer.Option("--user", help="Neo4j user [env NEO4J_USER; default neo4j].")
]
PasswordOption = Annotated[
    str | None,
    typer.Option(
        "--password",
        help="Neo4j password [env NEO4J_PASSWORD, settings file]; never printed.",
        show_default=False,
    ),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="Neo4j database [env NEO4J_DATABASE; server default]."),
]


@contextmanager
def neo4j_session(
    uri: str | None = None,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
) -> Iterator[tuple[neo4j.Driver, Neo4jSettings]]:
    """The driver and settings every Neo4j-backed command uses."""
    settings = resolve_settings(uri, user, password, database)
    with connect(settings) as driver:
        yield driver, settings


@app.command()
def push(
    store: StoreOption = None,
    uri: UriOption = None,
    user: UserOption = None,
    password: PasswordOption = None,
    database: DatabaseOption = None,
    wipe: Annotated[
        bool, typer.Option("--wipe", help="Delete everything in the database first.")
    ] = False,
) -> None:
    """Mirror the store into Neo4j: one node per entity, one relationship per relation.

    Idempotent: pushing again changes nothing; what the store no longer has is removed.

    Example: citydiplo neo4j push --uri bolt://localhost:7687 --wipe
    """
    with (
        open_store(store) as graph_store,
        neo4j_session(uri, user, password, database) as (driver, settings),
        Progress(console=err, transient=True, disable=not err.is_terminal) as bar,
    ):
        task = bar.add_task("Pushing to Neo4j", total=None)
        result = push_graph(
            graph_store,
            driver,
            settings,
            wipe_first=wipe,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    print(f"Pushed to {settings.where}:")
    print_rows(
        [{"label or type": name, "count": n} for name, n in result.counts.items()],
        OutputFormat.table,
    )
    if result.removed:
        print(f"Removed {result.removed} nodes and relationships the store no longer has.")


@app.command()
def pull(
    store: StoreOption = None,
    uri: UriOption = None,
    user: UserOption = None,
    password: PasswordOption = None,
    database: DatabaseOption = None,
) -> None:
    """Read a Neo4j graph that follows the mirror's schema into the store, as one source.

    Example: citydiplo neo4j pull --uri bolt://localhost:7687 --store copy
    """
    with (
        neo4j_session(uri, user, password, database) as (driver, settings),
        open_store(store, writable=True) as graph_store,
    ):
        result = pull_graph(graph_store, driver, settings)
    if result.unchanged:
        print(f"{settings.where}: already pulled with the same content; 0 triples added.")
    else:
        print(f"{settings.where}: {result.triples_added} triples added.")


def _parameter(text: str) -> tuple[str, object]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise QueryError(f"--param {text!r} is not NAME=VALUE")
    for kind in (int, float):
        try:
            return name, kind(value)
        except ValueError:
            pass
    return name, value


@app.command()
def query(
    cypher: Annotated[str, typer.Argument(help="A Cypher statement; $name for parameters.")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="A parameter NAME=VALUE (numbers become numbers)."),
    ] = None,
    uri: UriOption = None,
    user: UserOption = None,
    password: PasswordOption = None,
    database: DatabaseOption = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Run a Cypher query on the mirror and print its rows.

    Example: citydiplo neo4j query "MATCH (c:City {name: $name})-[t:TWINNED_WITH]-(o)
    RETURN o.name AS partner, t.since AS since" --param name=Dortmund
    """
    parameters = dict(_parameter(text) for text in param or [])
    with neo4j_session(uri, user, password, database) as (driver, settings):
        rows = run(driver, settings, cypher, **parameters)
    print_rows(rows, format, columns=list(rows[0]) if rows else None)
