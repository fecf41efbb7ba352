"""Commands about city networks: every network with its size, one network's members."""

from __future__ import annotations

from typing import Annotated

import typer

from ..graph.store import open_store
from ..queries.networks import network_members, network_members_counts
from ..views.tabular import OutputFormat, print_rows
from .options import FormatOption, StoreOption


def networks(store: StoreOption = None, format: FormatOption = OutputFormat.table) -> None:
    """Every city network with its members, cities and regions.

    Example: citydiplo networks --format json
    """
    with open_store(store) as graph_store:
        print_rows(network_members_counts(graph_store), format, title="City networks")


def members(
    network: Annotated[str, typer.Argument(help="The network, by any of its names.")],
    store: StoreOption = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """One network's members with role, since and source.

    Example: citydiplo members Klima-Bündnis
    """
    with open_store(store) as graph_store:
        print_rows(network_members(graph_store, network), format, title=network)
