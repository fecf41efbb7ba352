"""`citydiplo serve` speaks the SPARQL 1.1 Protocol: standard clients (SPARQLWrapper, rdflib's
SPARQLStore, plain HTTP) get the same answers the store gives directly, in every format."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import httpx
import pytest
import rdflib
from fixtures_servers import running_endpoint
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, JSONLD, TURTLE, XML, SPARQLWrapper

from citydiplo.graph.store import open_store

from conftest import run_cli

CITIES = """SELECT ?city ?name WHERE { ?city a cd:City ; rdfs:label ?name }
            ORDER BY ?city ?name"""
CITY_LABELS = (
    """CONSTRUCT { ?city rdfs:label ?name } WHERE { ?city a cd:City ; rdfs:label ?name }"""
)
RESULT_PARSERS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


def store_rows(store, query: str) -> list[tuple[str, ...]]:
    with open_store(store) as graph_store:
        return [tuple(str(value) for value in row.values()) for row in graph_store.select(query)]


def store_triples(store, query: str) -> set[tuple[str, str, str]]:
    with open_store(store) as graph_store:
        return {
            (t.subject.value, t.predicate.value, t.object.value) for t in graph_store.query(query)
        }


def result_rows(result: Result) -> list[tuple[str, ...]]:
    return [tuple(str(term) for term in row) for row in result]


def graph_triples(graph: rdflib.Graph) -> set[tuple[str, str, str]]:
    return {(str(s), str(p), str(o)) for s, p, o in graph}


@pytest.mark.parametrize("media_type", RESULT_PARSERS)
def test_select_results_parse_in_every_format_and_equal_the_store(endpoint, media_type):
    response = httpx.get(endpoint.url, params={"query": CITIES}, headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    result = Result.parse(io.BytesIO(response.content), format=RESULT_PARSERS[media_type])
    expected = store_rows(endpoint.store, CITIES)
    assert len(expected) > 20
    assert result_rows(result) == expected


@pytest.mark.parametrize("media_type", GRAPH_PARSERS)
def test_construct_results_parse_in_every_format_and_equal_the_store(endpoint, media_type):
    response = httpx.post(endpoint.url, data={"query": CITY_LABELS}, headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    graph = rdflib.Graph().parse(data=response.content, format=GRAPH_PARSERS[media_type])
    assert graph_triples(graph) == store_triples(endpoint.store, CITY_LABELS)


def test_query_posted_as_a_sparql_query_body_is_answered(endpoint):
    response = httpx.post(
        endpoint.url,
        content=CITIES.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.text)))
    assert [tuple(row) for row in rows[1:]] == store_rows(endpoint.store, CITIES)


def test_ask_is_answered_as_a_boolean_in_json_xml_csv_and_tsv(endpoint):
    ask = 'ASK { ?city rdfs:label "Dortmund" }'
    for media_type, parser in RESULT_PARSERS.items():
        response = httpx.get(endpoint.url, params={"query": ask}, headers={"Accept": media_type})
        assert response.status_code == 200, response.text
        if parser in ("json", "xml"):
            assert Result.parse(io.BytesIO(response.content), format=parser).askAnswer is True
        else:
            assert response.text.strip().lower() == "true"


def test_sparqlwrapper_gets_the_stores_answers_by_get_and_post(endpoint):
    expected = store_rows(endpoint.store, CITIES)
    for method in ("GET", "POST"):
        client = SPARQLWrapper(endpoint.url)
        client.setMethod(method)
        client.setQuery(CITIES)
        client.setReturnFormat(JSON)
        bindings = client.queryAndConvert()["results"]["bindings"]
        assert [(b["city"]["value"], b["name"]["value"]) for b in bindings] == expected
        client.setReturnFormat(XML)
        assert len(client.queryAndConvert().getElementsByTagName("result")) == len(expected)
        client.setReturnFormat(CSV)
        assert len(client.queryAndConvert().decode().strip().splitlines()) == len(expected) + 1


# SPARQLWrapper builds its graphs with rdflib's deprecated ConjunctiveGraph.
@pytest.mark.filterwarnings("ignore::DeprecationWarning:SPARQLWrapper")
def test_sparqlwrapper_gets_construct_results_as_turtle_and_json_ld(endpoint):
    expected = store_triples(endpoint.store, CITY_LABELS)
    for return_format in (TURTLE, JSONLD):
        client = SPARQLWrapper(endpoint.url)
        client.setQuery(CITY_LABELS)
        client.setReturnFormat(return_format)
        answer = client.queryAndConvert()
        graph = (
            answer
            if isinstance(answer, rdflib.Graph)
            else rdflib.Graph().parse(
                data=answer, format="turtle" if return_format == TURTLE else "json-ld"
            )
        )
        assert graph_triples(graph) == expected


def test_rdflib_sparqlstore_reads_the_endpoint_like_the_store(endpoint):
    graph = rdflib.Graph(store=SPARQLStore(endpoint.url, returnFormat="json"))
    rows = result_rows(
        graph.query(CITIES, initNs={"cd": "https://citydiplo.org/ns#", "rdfs": rdflib.RDFS})
    )
    assert rows == store_rows(endpoint.store, CITIES)
    assert bool(graph.query('ASK { ?c <http://www.w3.org/2000/01/rdf-schema#label> "Dortmund" }'))


def test_default_graph_uri_limits_the_query_to_that_source(endpoint):
    with open_store(endpoint.store) as graph_store:
        partnerships = next(
            v.graph for v in graph_store.source_versions() if v.name.endswith("partnerships")
        )
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    response = httpx.get(
        endpoint.url,
        params={"query": count, "default-graph-uri": partnerships},
        headers={"Accept": "text/csv"},
    )
    in_graph = store_rows(
        endpoint.store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{partnerships}> {{ ?s ?p ?o }} }}"
    )
    assert response.text.splitlines()[1] == in_graph[0][0]
    assert int(in_graph[0][0]) < int(store_rows(endpoint.store, count)[0][0])


def test_named_graph_uri_lists_the_only_graphs_graph_patterns_see(endpoint):
    with open_store(endpoint.store) as graph_store:
        graphs = [v.graph for v in graph_store.source_versions()]
    response = httpx.get(
        endpoint.url,
        params={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": graphs[0],
        },
        headers={"Accept": "text/csv"},
    )
    assert response.text.split() == ["g", graphs[0]]


def test_format_parameter_chooses_the_format_like_accept(endpoint):
    response = httpx.get(endpoint.url, params={"query": CITIES, "format": "tsv"})
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    response = httpx.get(endpoint.url, params={"query": CITY_LABELS, "format": "json-ld"})
    assert response.headers["content-type"].startswith("application/ld+json")


def test_accept_q_values_are_honoured_and_unacceptable_types_get_406(endpoint):
    response = httpx.get(
        endpoint.url,
        params={"query": CITIES},
        headers={"Accept": "application/sparql-results+json;q=0.5, text/csv"},
    )
    assert response.headers["content-type"].startswith("text/csv")
    refused = httpx.get(endpoint.url, params={"query": CITIES}, headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert "text/csv" in refused.text


def test_service_description_at_the_endpoint_url_parses_as_rdf(endpoint):
    response = httpx.get(endpoint.url, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    service = rdflib.URIRef(endpoint.url)
    assert (service, rdflib.RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph
    as_json_ld = httpx.get(endpoint.url, headers={"Accept": "application/ld+json"})
    assert len(rdflib.Graph().parse(data=as_json_ld.text, format="json-ld")) == len(graph)


def test_void_description_counts_the_store_and_lists_each_source(endpoint):
    for path in ("void", ".well-known/void"):
        response = httpx.get(endpoint.base + path, headers={"Accept": "text/turtle"})
        assert response.status_code == 200
        graph = rdflib.Graph().parse(data=response.text, format="turtle")
        dataset = next(graph.subjects(VOID.sparqlEndpoint, rdflib.URIRef(endpoint.url)))
        with open_store(endpoint.store) as graph_store:
            assert graph.value(dataset, VOID.triples).toPython() == len(graph_store)
            sources = {v.graph for v in graph_store.source_versions()}
        assert {str(subset) for subset in graph.objects(dataset, VOID.subset)} == sources
        assert graph.value(dataset, VOID.entities).toPython() > 0


def test_cors_lets_browser_clients_query_from_any_origin(endpoint):
    preflight = httpx.options(
        endpoint.url,
        headers={
            "Origin": "https://notebook.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    answer = httpx.get(
        endpoint.url, params={"query": CITIES}, headers={"Origin": "https://notebook.example"}
    )
    assert answer.headers["access-control-allow-origin"] == "*"


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        urls = [value for name, value in attrs if name in ("src", "href") and value]
        (self.links if tag == "a" else self.assets).extend(urls)


def test_query_page_loads_its_assets_from_the_server_itself_only(endpoint):
    page = httpx.get(endpoint.url, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    parser = _Assets()
    parser.feed(page.text)
    assert parser.assets
    urls = parser.assets + parser.links
    assert all(url.startswith("/") and not url.startswith("//") for url in urls)
    for url in parser.assets:
        asset = httpx.get(endpoint.base + url.lstrip("/"))
        assert asset.status_code == 200, url
        assert not re.search(r"https?://", asset.text), f"{url} refers to another host"


def test_query_page_offers_the_named_queries_as_examples(endpoint):
    examples = httpx.get(endpoint.base + "examples").json()
    names = {example["name"] for example in examples}
    assert {"twinnings_of_city", "degree_ranking"} <= names
    ranking = next(e for e in examples if e["name"] == "degree_ranking")
    response = httpx.post(
        endpoint.url, data={"query": ranking["query"]}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert json.loads(response.text)["results"]["bindings"]


def test_describe_returns_the_statements_about_a_city(endpoint):
    dortmund = "https://citydiplo.org/id/city/Q1295"
    response = httpx.get(
        endpoint.url, params={"query": f"DESCRIBE <{dortmund}>"}, headers={"Accept": "text/turtle"}
    )
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (rdflib.URIRef(dortmund), rdflib.RDFS.label, rdflib.Literal("Dortmund")) in graph


def test_a_running_endpoint_answers_from_sources_ingested_after_it_started(
    writable_demo_store, tmp_path
):
    partnerships = tmp_path / "later.csv"
    partnerships.write_text(
        "city_a,country_a,city_b,country_b,kind,since,until,status,source\n"
        "Bochum,DE,Sheffield,GB,Partnerschaft,1950,,active,test list\n",
        encoding="utf-8",
    )
    count_sources = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a cd:Source }"
    with running_endpoint(writable_demo_store, "--workers", "1") as running:
        before = httpx.get(running.url, params={"query": count_sources, "format": "csv"})
        ingested = run_cli("ingest", "partnerships", partnerships, "--store", writable_demo_store)
        assert ingested.returncode == 0, ingested.stderr
        after = httpx.get(running.url, params={"query": count_sources, "format": "csv"})
    assert before.text.split()[1:] == ["4"]
    assert after.text.split()[1:] == ["5"]
