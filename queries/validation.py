"""Is the graph valid? The SHACL shapes of `graph/shapes.ttl`, run by pySHACL, in plain words.

`validate(store)` checks the union of the store's visible graphs; `validate_graph(graph)` checks
an rdflib graph (a notebook user's, or an export read back). Both return a `ValidationReport`:
whether the graph conforms, and one plain dict per problem. `in_plain_words` turns a problem
into a sentence such as "Twinning …/twinning/ab12 (Dortmund): a twinning has exactly two
partners; it has 1."
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import pyoxigraph as ox
import rdflib
from pyshacl import validate as run_shacl
from pyshacl.graph_abstraction import OxigraphDataGraph
from rdflib.collection import Collection
from rdflib.namespace import SH

from ..graph import vocab
from ..graph.store import GraphStore
from ..graph.writer import ontology_quads

SHAPES_NS = "https://citydiplo.org/shapes#"

# The parties whose names stand for a relation node in a report: Dortmund – Eurocities.
_PARTIES = {
    "Twinning": (vocab.PARTNER,),
    "Membership": (vocab.ORG_MEMBER, vocab.ORG_ORGANIZATION),
    "Contact": (vocab.FROM, vocab.TO),
    "Funding": (vocab.FROM, vocab.TO),
    "Stake": (vocab.OWNER, vocab.ASSET),
    "Investment": (vocab.INVESTOR, vocab.INVESTEE),
    "Cooperation": (vocab.PARTICIPANT, vocab.VENDOR),
    "Control": (vocab.CONTROLLED, vocab.CONTROLLER),
}
# A node typed with a class and its superclass is named by the narrower one.
_CLASS_ORDER = (
    "Funding",
    "Region",
    *vocab.RELATION_CLASSES,
    *vocab.ENTITY_CLASSES,
    "Source",
    "SourceRecord",
)

# The fields of a reported problem, in the order tables and CSV show them.
COLUMNS = ("severity", "focus", "focus_type", "focus_label", "path", "value", "message", "shape")

_COUNTED = {SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent}
_EXPECTED_VALUE = {SH.HasValueConstraintComponent}
_SEVERITY = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
_SEVERITY_ORDER = ("violation", "warning", "info")


@dataclass
class ValidationReport:
    """The outcome of a validation.

    `conforms` is True when no shape is violated (warnings, where sources disagree, are
    allowed). Each entry of `violations` is a plain dict with `severity` ("violation" or
    "warning"), `focus` (the IRI of the node at fault), `focus_type` (twinning, city, …),
    `focus_label` (its name; for a relation, the names of its parties), `path` (the property,
    compacted as cd:partner), `value` (the offending value, if one), `message` (the rule in
    plain words, with what the node has instead) and `shape` (the shape, as cdsh:Twinning).
    """

    conforms: bool
    statements: int
    violations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [v for v in self.violations if v["severity"] == "violation"]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [v for v in self.violations if v["severity"] == "warning"]


def validate(store: GraphStore) -> ValidationReport:
    """Validate the union of the store's visible graphs against `graph/shapes.ttl`.

    A statement made by two sources counts once, as in every query.

    Parameters
    ----------
    store : GraphStore
        An open store (read-only is enough).

    Returns
    -------
    ValidationReport

    Example
    -------
    >>> with open_store(".citydiplo") as store:  # doctest: +SKIP
    ...     report = validate(store)
    >>> report.conforms  # doctest: +SKIP
    True

    Notes
    -----
    The union is copied into an in-memory Oxigraph store, which pySHACL reads directly (no
    rdflib graph is built: that alone would take longer than the validation). Time grows with
    the focus nodes of each shape: about 8 s for the 2016 Wikidata twin network (424k
    statements), 5 s for the 2026 one, 9 s for ClimActor's memberships.
    """
    union = ox.Store()
    union.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in store.quads())
    return _validate_union(union)


def validate_graph(graph: rdflib.Graph) -> ValidationReport:
    """Validate an rdflib graph, or the union of all graphs of an rdflib Dataset.

    The citydiplo vocabulary (`graph/ontology.ttl`), which the shapes read the SKOS schemes
    from, is added when the graph does not carry it.

    Example
    -------
    >>> report = validate_graph(rdflib.Graph().parse("export.ttl"))  # doctest: +SKIP
    >>> report.conforms  # doctest: +SKIP
    True
    """
    if isinstance(graph, rdflib.Dataset):
        triples = (quad[:3] for quad in graph.quads((None, None, None, None)))
    else:
        triples = graph.triples((None, None, None))
    union = ox.Store()
    union.bulk_extend(ox.Quad(*map(_from_rdflib, triple)) for triple in triples)
    ontology = ox.NamedNode(vocab.ONTOLOGY_GRAPH)
    if not any(union.quads_for_pattern(ontology, vocab.TYPE, None)):
        union.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in ontology_quads())
    return _validate_union(union)


def in_plain_words(violation: dict[str, Any]) -> str:
    """One problem as a sentence.

    Example
    -------
    >>> in_plain_words({"focus": "https://citydiplo.org/id/twinning/ab12",
    ...     "focus_type": "twinning", "focus_label": "Dortmund",
    ...     "message": "a twinning has exactly two partners; it has 1", "severity": "violation"})
    'Twinning …/twinning/ab12 (Dortmund): a twinning has exactly two partners; it has 1.'
    """
    focus = violation["focus"]
    name = f"…/{focus.removeprefix(vocab.ID)}" if focus.startswith(vocab.ID) else focus
    label = f" ({violation['focus_label']})" if violation.get("focus_label") else ""
    warning = "Warning: " if violation["severity"] == "warning" else ""
    kind = (violation.get("focus_type") or "node").capitalize()
    return f"{warning}{kind} {name}{label}: {violation['message']}."


def summary(report: ValidationReport) -> str:
    """One line: conforms or not, with how many violations and warnings."""
    graph = f"The graph ({report.statements} statements)"
    warnings = f" {_count(len(report.warnings), 'warning')}" if report.warnings else ""
    if report.conforms:
        return f"{graph} conforms to the shapes" + (f";{warnings}." if warnings else ".")
    errors = _count(len(report.errors), "violation")
    return f"{graph} does not conform: {errors}" + (f" and{warnings}." if warnings else ".")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# --- running pySHACL -------------------------------------------------------------------------
@cache
def _shapes() -> rdflib.Graph:
    text = resources.files("citydiplo.graph").joinpath("shapes.ttl").read_text(encoding="utf-8")
    return rdflib.Graph().parse(data=text, format="turtle")


class _UnionGraph(OxigraphDataGraph):
    """pySHACL's view of the in-memory union, with its size counted once.

    pySHACL 0.40 asks the data graph for its size for every result it writes (`datagraph or
    shapes`), failing alternatives of an sh:or included, and its Oxigraph graph answers with a
    SPARQL count of distinct triples each time: 0.4 s a result on 236k statements, 380 s for
    20 start dates on a 875k-statement union. Nothing changes the union while it is validated.
    """

    def __init__(self, store: ox.Store) -> None:
        super().__init__(store)
        self._size = len(store)

    def __len__(self, context: Any = None) -> int:
        return self._size if context is None else super().__len__(context)


def _validate_union(union: ox.Store) -> ValidationReport:
    # inplace: the union is a copy of our own; inference none: sh:class and sh:targetClass
    # follow rdfs:subClassOf in the ontology graph by themselves (SHACL instances).
    _, report_graph, _ = run_shacl(
        _UnionGraph(union),
        shacl_graph=_shapes(),
        inference="none",
        inplace=True,
        allow_warnings=True,
    )
    lookup = _Lookup(union)
    violations = sorted(
        (lookup.describe(report_graph, result) for result in _results(report_graph)),
        key=lambda v: (
            _SEVERITY_ORDER.index(v["severity"]),
            v["focus"],
            v["shape"],
            v["path"] or "",
            v["message"],
        ),
    )
    conforms = not any(v["severity"] == "violation" for v in violations)
    return ValidationReport(conforms, len(union), violations)


def _results(report_graph: rdflib.Graph) -> Iterator[rdflib.term.Node]:
    return report_graph.subjects(rdflib.RDF.type, SH.ValidationResult)


class _Lookup:
    """Names, classes and values read from the validated union, for plain-words reports."""

    def __init__(self, union: ox.Store) -> None:
        self.union = union

    def objects(self, subject: ox.NamedNode, predicate: ox.NamedNode) -> list[Any]:
        return sorted(
            {quad.object for quad in self.union.quads_for_pattern(subject, predicate, None)},
            key=str,
        )

    def describe(self, report: rdflib.Graph, result: rdflib.term.Node) -> dict[str, Any]:
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        component = report.value(result, SH.sourceConstraintComponent)
        shape = report.value(result, SH.sourceShape)
        focus_node = _to_ox(focus)
        message = str(report.value(result, SH.resultMessage) or "")
        if component in _COUNTED or component in _EXPECTED_VALUE:
            found = [self.name(term) for term in self.path_values(focus_node, report, path)]
            if component in _COUNTED:
                message += f"; it has {len(found) or 'none'}"
            else:
                message += f"; it has {', '.join(found) or 'none'}"
        elif value is not None and component != SH.SPARQLConstraintComponent:
            message += f"; {self.name(_to_ox(value))} is not"
        return {
            "severity": _SEVERITY.get(report.value(result, SH.resultSeverity), "violation"),
            "focus": str(focus),
            "focus_type": self.class_label(focus_node),
            "focus_label": self.label(focus_node),
            "path": _render_path(report, path),
            "value": None if value is None else self.name(_to_ox(value)),
            "message": message,
            "shape": _compact(str(shape)) if isinstance(shape, rdflib.URIRef) else str(shape),
        }

    def path_values(
        self, focus: Any, report: rdflib.Graph, path: rdflib.term.Node | None
    ) -> list[Any]:
        """The values a focus node has along a path (predicate, sequence or alternative)."""
        if path is None or isinstance(focus, ox.Literal):
            return []
        if isinstance(path, rdflib.URIRef):
            return self.objects(focus, ox.NamedNode(str(path)))
        alternatives = report.value(path, SH.alternativePath)
        if alternatives is not None:
            return sorted(
                {
                    v
                    for step in _items(report, alternatives)
                    for v in self.path_values(focus, report, step)
                },
                key=str,
            )
        # A sequence path (cd:kind skos:inScheme) ends in a scheme: what the node has is the
        # value of the first step, its kind.
        steps = _items(report, path)
        return self.path_values(focus, report, steps[0]) if steps else []

    def label(self, node: Any) -> str | None:
        """A node's name: its label, or for a relation its parties' names, or a row's source."""
        if not isinstance(node, ox.NamedNode):
            return None
        labels = self.objects(node, vocab.LABEL)
        if labels:
            return labels[0].value
        classes = self.classes(node)
        for class_name in classes:
            if class_name in _PARTIES:
                parties = [p for prop in _PARTIES[class_name] for p in self.objects(node, prop)]
                return " – ".join(self.name(p) for p in parties) or None
        if "SourceRecord" in classes:
            rows = self.objects(node, vocab.ROW)
            sources = self.objects(node, vocab.HAD_PRIMARY_SOURCE)
            if rows and sources:
                return f"row {rows[0].value} of {self.name(sources[0])}"
        qids = self.objects(node, vocab.QID)
        return qids[0].value if qids else None

    def name(self, term: Any) -> str:
        """A value as a reader knows it: a literal's text, an entity's name, else a short IRI."""
        if isinstance(term, ox.Literal):
            return term.value
        if isinstance(term, ox.NamedNode):
            labels = self.objects(term, vocab.LABEL)
            return labels[0].value if labels else _compact(term.value)
        return str(term)

    def classes(self, node: Any) -> list[str]:
        if not isinstance(node, ox.NamedNode):
            return []
        stated = {c.value.removeprefix(vocab.NS) for c in self.objects(node, vocab.TYPE)}
        return [name for name in _CLASS_ORDER if name in stated]

    def class_label(self, node: Any) -> str | None:
        classes = self.classes(node)
        if not classes:
            return None
        labels = [
            label.value
            for label in self.objects(vocab.CLASS[classes[0]], vocab.LABEL)
            if label.language == "en"
        ]
        return labels[0] if labels else classes[0].casefold()


# --- terms -----------------------------------------------------------------------------------
def _to_ox(term: rdflib.term.Node | None) -> Any:
    return None if term is None else _from_rdflib(term)


def _from_rdflib(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def _items(graph: rdflib.Graph, head: rdflib.term.Node) -> list[rdflib.term.Node]:
    return list(Collection(graph, head))


def _render_path(report: rdflib.Graph, path: rdflib.term.Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, rdflib.URIRef):
        return _compact(str(path))
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_render_path(report, step) or "" for step in _items(report, alternatives))
    return "/".join(_render_path(report, step) or "" for step in _items(report, path))


_PREFIXES = sorted([*vocab.PREFIXES.items(), ("cdsh", SHAPES_NS)], key=lambda item: -len(item[1]))


def _compact(iri: str) -> str:
    for prefix, namespace in _PREFIXES:
        if iri.startswith(namespace):
            return f"{prefix}:{iri.removeprefix(namespace)}"
    return iri
