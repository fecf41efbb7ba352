"""`citydiplo serve` is safe to leave running: read-only unless told otherwise, no outbound
requests, no local files, bounded time, rows and bodies, and it keeps serving after each
refusal."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import time

import httpx
import pytest
from fixtures_servers import MAX_BODY, MAX_ROWS, TIMEOUT_SECONDS, free_port, running_endpoint

from citydiplo.server.sparql_text import read_sparql_text

TOKEN = "s3cret-test-token"
DORTMUND = 'SELECT ?city WHERE { ?city rdfs:label "Dortmund" }'
CSV = {"Accept": "text/csv"}


def query(endpoint, text: str, **headers: str) -> httpx.Response:
    return httpx.post(endpoint.url, data={"query": text}, headers={**CSV, **headers}, timeout=60)


def still_serves(endpoint) -> None:
    response = query(endpoint, DORTMUND)
    assert response.status_code == 200, response.text
    assert "Q1295" in response.text


def test_update_is_refused_with_403_saying_the_endpoint_is_read_only(endpoint):
    insert = "INSERT DATA { <https://example.org/a> <https://example.org/b> 1 }"
    for response in (
        httpx.post(endpoint.url, data={"update": insert}),
        httpx.post(
            endpoint.url,
            content=insert.encode(),
            headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer x"},
        ),
        httpx.get(endpoint.url, params={"update": insert}),
    ):
        assert response.status_code == 403
        assert "read-only" in response.text and "--allow-update" in response.text
    assert query(endpoint, "ASK { <https://example.org/a> ?p ?o }").text.strip() == "false"


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
        "select * where { service silent <{url}> { ?s ?p ?o } }",
        "SELECT * WHERE { ?x ?y ?z . { SELECT ?s WHERE { SERVICE <{url}> { ?s ?p ?o } } } }",
        "ASK { VALUES ?e { <{url}> } SERVICE ?e { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p 1.SERVICE <{url}> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused_and_never_fetched(endpoint, recording_listener, text):
    response = query(endpoint, text.replace("{url}", recording_listener.url))
    assert response.status_code == 400
    assert "SERVICE is refused" in response.text
    assert recording_listener.hits == []


def test_service_in_strings_iris_comments_and_names_is_not_a_keyword():
    harmless = (
        'SELECT * WHERE { ?s ex:SERVICE "SERVICE" . ?s ?p <http://SERVICE/> } # SERVICE',
        "SELECT ?service WHERE { ?service ?p '''a\nSERVICE <x> { }''' }",
    )
    assert not any(read_sparql_text(text).uses_service for text in harmless)


def test_from_and_default_graph_uri_never_fetch_a_url(endpoint, recording_listener):
    url = recording_listener.url
    assert query(endpoint, f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}").status_code == 200
    response = httpx.get(
        endpoint.url,
        params={"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": url},
        headers=CSV,
    )
    assert response.status_code == 200
    assert len(response.text.strip().splitlines()) == 1  # the header: no solutions
    assert recording_listener.hits == []


def test_no_query_reads_a_local_file(endpoint, tmp_path):
    secret = tmp_path / "secret.ttl"
    secret.write_text('<https://example.org/s> <https://example.org/p> "TOP-SECRET-42" .\n')
    iri = secret.as_uri()
    for response in (
        query(endpoint, f"SELECT * FROM <{iri}> WHERE {{ ?s ?p ?o }}"),
        query(endpoint, "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"),
        query(endpoint, f"SELECT * FROM NAMED <{iri}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"),
        httpx.get(
            endpoint.url,
            params={"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": iri},
            headers=CSV,
        ),
    ):
        assert response.status_code == 200
        assert "TOP-SECRET-42" not in response.text and "root:" not in response.text
    load = httpx.post(endpoint.url, data={"update": f"LOAD <{iri}>"})
    assert load.status_code == 403


def test_query_over_the_timeout_is_stopped_and_the_server_keeps_serving(endpoint):
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    response = query(endpoint, endless)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert f"limit of {TIMEOUT_SECONDS} s" in response.text
    assert elapsed < TIMEOUT_SECONDS + 5
    still_serves(endpoint)
    # The stopped worker is replaced: two more endless queries time out, none hangs.
    for _ in range(2):
        assert query(endpoint, endless).status_code == 503
    still_serves(endpoint)


def test_results_over_the_row_cap_are_refused_with_how_to_narrow_them(endpoint):
    everything = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = query(endpoint, everything)
    assert response.status_code == 422
    assert f"more than {MAX_ROWS} rows" in response.text and "LIMIT" in response.text
    construct = query(endpoint, "CONSTRUCT WHERE { ?s ?p ?o }", Accept="text/turtle")
    assert construct.status_code == 422 and "triples" in construct.text
    capped = query(endpoint, everything + f" LIMIT {MAX_ROWS}")
    assert capped.status_code == 200
    assert len(list(csv.reader(io.StringIO(capped.text)))) == MAX_ROWS + 1
    still_serves(endpoint)


def test_request_bodies_over_the_cap_get_413_and_the_server_keeps_serving(endpoint):
    padding = "#" + "x" * MAX_BODY + "\n"
    assert query(endpoint, padding + DORTMUND).status_code == 413
    direct = httpx.post(
        endpoint.url,
        content=(padding + DORTMUND).encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert direct.status_code == 413
    assert "--max-body" in direct.text
    assert httpx.get(endpoint.url, params={"query": padding + DORTMUND}).status_code == 413
    still_serves(endpoint)


def test_malformed_query_gets_400_with_the_parsers_message_and_position(endpoint):
    response = query(endpoint, "SELECT ?s WHERE {\n  ?s ?p \n}")
    assert response.status_code == 400
    assert "not valid SPARQL" in response.text
    assert re.search(r"error at 3:\d+", response.text)
    still_serves(endpoint)


def test_updates_apply_only_with_the_token_when_allowed(writable_demo_store):
    insert = "INSERT DATA { <https://example.org/new> rdfs:label 'New town' }"
    with running_endpoint(
        writable_demo_store, "--allow-update", env={"CITYDIPLO_UPDATE_TOKEN": TOKEN}
    ) as endpoint:
        assert httpx.post(endpoint.url, data={"update": insert}).status_code == 401
        wrong = httpx.post(
            endpoint.url, data={"update": insert}, headers={"Authorization": "Bearer nope"}
        )
        assert wrong.status_code == 401
        ask = "ASK { <https://example.org/new> rdfs:label 'New town' }"
        assert query(endpoint, ask).text.strip() == "false"
        applied = httpx.post(
            endpoint.url,
            content=insert.encode(),
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {TOKEN}",
            },
        )
        assert applied.status_code == 204, applied.text
        assert query(endpoint, ask).text.strip() == "true"
        for refused in (f"LOAD <{writable_demo_store.as_uri()}>", "LOAD <file:///etc/passwd>"):
            load = httpx.post(
                endpoint.url, data={"update": refused}, headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert load.status_code == 400 and "LOAD is refused" in load.text


def test_service_inside_an_update_is_refused_too(writable_demo_store, recording_listener):
    update = f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{recording_listener.url}> {{ ?s ?p ?o }} }}"
    with running_endpoint(
        writable_demo_store, "--allow-update", env={"CITYDIPLO_UPDATE_TOKEN": TOKEN}
    ) as endpoint:
        response = httpx.post(
            endpoint.url, data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert response.status_code == 400
    assert recording_listener.hits == []


def test_allow_update_without_a_token_refuses_to_start(cli, demo_store, monkeypatch):
    monkeypatch.delenv("CITYDIPLO_UPDATE_TOKEN", raising=False)
    result = cli("serve", "--store", demo_store, "--allow-update", "--port", free_port())
    assert result.returncode == 2
    assert "CITYDIPLO_UPDATE_TOKEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_store_is_reported_before_serving(cli, tmp_path):
    result = cli("serve", "--store", tmp_path / "nothing", "--port", free_port())
    assert result.returncode == 2
    assert "no citydiplo store" in result.stderr


def test_binding_beyond_loopback_prints_a_warning(demo_store):
    process = subprocess.Popen(
        [sys.executable, "-m", "citydiplo", "serve", "--store", str(demo_store)]
        + ["--host", "0.0.0.0", "--port", str(free_port())],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        warning = process.stderr.readline()
    finally:
        process.terminate()
        process.wait(10)
    assert warning.startswith("Warning: listening on 0.0.0.0, not loopback")
