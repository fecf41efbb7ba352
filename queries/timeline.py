"""How the network grew: new twinnings and memberships per period, and how many were active
at the end of each."""

from __future__ import annotations

from typing import Any

import networkx as nx

from ..errors import QueryError


def timeline(graph: nx.MultiGraph, *, step: int = 10) -> list[dict[str, Any]]:
    """New twinnings and memberships per period of `step` years (decades by default), and
    the size of the network at the end of each period.

    Parameters
    ----------
    graph : a projection with the twinning and membership layers (other layers are ignored).
    step : years per period; periods start at multiples of it (1950–1959 for 10).

    Returns
    -------
    list of {"period", "start", "end", "new_twinnings", "new_memberships",
    "twinnings_active", "memberships_active"}, one per period from the first with a dated
    relation to the last a relation starts or ends in, empty periods included. `new_…`
    counts the relations whose `since` falls in the period; `…_active` those active in its
    end year: started by then (`since` at most the end year) and not ended before it
    (`until` absent or at least the end year). Relations without `since` cannot be placed
    in time: a last row with period "undated" and start/end None counts them (its
    `…_active` are None). Nothing is returned for a graph without these relations.

    Examples
    --------
    >>> graph = nx.MultiGraph()
    >>> graph.add_edge("a", "b", layer="twinning", since="1978", until=None)
    0
    >>> [(row["period"], row["new_twinnings"]) for row in timeline(graph)]
    [('1970–1979', 1)]

    Notes
    -----
    O(E + P·E) for P periods: one pass to place each relation, one per period to count the
    active ones. `since` and `until` are years or dates ("1978", "1978-05", "1978-05-02");
    the year is what counts. A relation's current status (dormant, ended) is not dated, so it
    does not change the counts: only `until` ends a relation in time.
    """
    if step < 1:
        raise QueryError(f"a period is at least one year long, not {step}")
    spans: dict[str, list[tuple[int, int | None]]] = {"twinning": [], "membership": []}
    undated = {"twinning": 0, "membership": 0}
    for _, _, data in graph.edges(data=True):
        layer = data.get("layer")
        if layer not in spans:
            continue
        since, until = _year(data.get("since")), _year(data.get("until"))
        if since is None:
            undated[layer] += 1
        else:
            spans[layer].append((since, until))
    years = [year for layer in spans.values() for span in layer for year in span if year]
    rows = []
    if years:
        first, last = min(years) // step * step, max(years) // step * step
        for start in range(first, last + step, step):
            end = start + step - 1
            rows.append(
                {
                    "period": f"{start}–{end}" if step > 1 else str(start),
                    "start": start,
                    "end": end,
                    "new_twinnings": sum(start <= s <= end for s, _ in spans["twinning"]),
                    "new_memberships": sum(start <= s <= end for s, _ in spans["membership"]),
                    "twinnings_active": _active(spans["twinning"], end),
                    "memberships_active": _active(spans["membership"], end),
                }
            )
    if undated["twinning"] or undated["membership"]:
        rows.append(
            {
                "period": "undated",
                "start": None,
                "end": None,
                "new_twinnings": undated["twinning"],
                "new_memberships": undated["membership"],
                "twinnings_active": None,
                "memberships_active": None,
            }
        )
    return rows


def _active(spans: list[tuple[int, int | None]], year: int) -> int:
    return sum(since <= year and (until is None or until >= year) for since, until in spans)


def _year(value: Any) -> int | None:
    return int(str(value)[:4]) if value not in (None, "") else None
