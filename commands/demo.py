"""`citydiplo demo`: build the bundled city-diplomacy graph and show a short tour."""

from __future__ import annotations

from pathlib import Path

from ..graph.store import open_store
from ..ingest.bundled import ingest_bundled_dataset
from ..queries.tour import demo_tour
from ..views.build import ViewOptions, ego_view
from ..views.html import write_view
from ..views.tabular import OutputFormat, print_rows
from .options import ReportsOption, StoreOption, print_summary, tracker


def demo(store: StoreOption = None, reports: ReportsOption = None) -> None:
    """Build the bundled city-diplomacy graph (five German documents on city diplomacy) and
    show a short tour: sizes, top brokers, how Dortmund reaches Pittsburgh and the Foreign
    Office, and an HTML view of Dortmund's neighbourhood (citydiplo-demo-dortmund.html).

    Example: citydiplo demo
    """
    for summary in ingest_bundled_dataset(store, report_dir=reports or ".", track=tracker()):
        print_summary(summary)
    view_file = Path(reports or ".") / "citydiplo-demo-dortmund.html"
    with open_store(store) as graph_store:
        tour = demo_tour(graph_store)
        location = str(graph_store.path).split("#")[0]  # an endpoint without its #options
        write_view(ego_view(graph_store, "Dortmund", 2, ViewOptions(store=location)), view_file)
    figures = tour.figures
    entities = ", ".join(f"{n} {name}" for name, n in figures["entities"].items() if n)
    relations = ", ".join(f"{n} {name}" for name, n in figures["relations"].items() if n)
    print(f"\nThe graph: {figures['triples']} statements from {figures['sources']} sources.")
    print(f"  entities: {entities}")
    print(f"  relations: {relations}")
    print_rows(
        tour.brokers,
        OutputFormat.table,
        title="Top brokers (entities cut off from the rest if removed)",
    )
    for start, end, answer in tour.paths:
        print(f"\nHow does {start} reach {end}?")
        if not answer.found:
            print(f"  no path: {answer.reason}")
            continue
        for hop in answer.paths[0]:
            since = f" since {hop.since}" if hop.since else ""
            print(
                f"  {hop.source_entity} → {hop.target_entity}: {hop.kind}{since} "
                f"[{hop.citation or hop.source}]"
            )
    print(f"\nDortmund and everything within two relations, to open in a browser: {view_file}")
    print("\nNext: citydiplo stats · citydiplo networks · citydiplo sources · citydiplo validate")
