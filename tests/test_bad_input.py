"""Bad input never reaches the graph: one clear error, exit status 2, the store untouched.

The promise: each broken file (missing or extra columns, empty, binary, wrongly encoded,
mojibake, unknown kind, since > until, year 3024, self-twinning, duplicate rows, truncated
JSON, JSON of the wrong shape) gives one error naming the file, the line and the problem,
exits with status 2 and leaves every file of the store byte-identical. `--skip-invalid`
ingests the valid rows and lists the rejected ones, with line and reason, in a report.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from citydiplo.graph.store import open_store

from conftest import run_cli, store_fingerprint

HEADER = "city_a,country_a,city_b,country_b,kind,since,until,status,source"
GOOD_ROWS = (
    "Dortmund,DE,Leeds,GB,Partnerschaft,1969,,active,Stadt Dortmund",
    "Dortmund,DE,Amiens,FR,partnership,1960,,active,Stadt Dortmund",
)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    """A citydiplo CSV: the header on line 1, then `rows` from line 2 on."""
    return "".join(line + "\n" for line in (header, *rows)).encode("utf-8")


def one_bad_row(row: str) -> bytes:
    """A CSV whose line 2 is valid and whose line 3 is `row`."""
    return csv_bytes(GOOD_ROWS[0], row)


@pytest.fixture(scope="module")
def valid_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding a small valid CSV, built once; each test works on a copy of it."""
    folder = tmp_path_factory.mktemp("valid")
    good = folder / "dortmund.csv"
    good.write_bytes(csv_bytes(*GOOD_ROWS))
    store = folder / "store"
    result = run_cli("ingest", "partnerships", good, "--store", store, "--reports", folder)
    assert result.returncode == 0, result.stderr
    return store


@pytest.fixture
def filled_store(valid_store: Path, store_dir: Path) -> Path:
    shutil.copytree(valid_store, store_dir)
    return store_dir


def ingest(path: Path, store: Path, *options: str) -> subprocess.CompletedProcess:
    """`citydiplo ingest partnerships PATH`, run where any report it writes lands in tmp."""
    return run_cli("ingest", "partnerships", path, "--store", store, *options, cwd=path.parent)


def assert_refused(
    result: subprocess.CompletedProcess, file: Path, line: int | None, *words: str
) -> str:
    """One error naming the file, the line and the problem; exit 2; no traceback."""
    assert result.returncode == 2, f"exit {result.returncode}\n{result.stdout}{result.stderr}"
    assert "Traceback" not in result.stderr
    # Rich wraps long lines at the terminal width; the sentence is what matters.
    message = " ".join(result.stderr.split())
    assert message.startswith("Error: ") and message.count("Error:") == 1, message
    assert str(file) in message
    if line is not None:
        assert f"{file}, line {line}" in message
    for word in words:
        assert word in message
    return message


BROKEN_CSV = [
    pytest.param(
        csv_bytes(GOOD_ROWS[0], header=HEADER.replace(",status", "")),
        1,
        ("missing column", "status"),
        id="missing column",
    ),
    pytest.param(
        csv_bytes(GOOD_ROWS[0] + ",twinned in 1969", header=HEADER + ",remarks"),
        1,
        ("unknown column", "remarks"),
        id="extra column",
    ),
    pytest.param(
        one_bad_row("Dortmund,DE,Lille,FR,partnership,1990,,active,Stadt Dortmund,oops"),
        3,
        ("10 cells", "9 columns"),
        id="row with too many cells",
    ),
    pytest.param(
        one_bad_row("Dortmund,DE,Lille,FR,partnership"),
        3,
        ("5 cells", "9 columns"),
        id="row with too few cells",
    ),
    pytest.param(b"", None, ("empty", "0 bytes"), id="empty file"),
    pytest.param(b"  \n\n\t \r\n", None, ("empty", "blank lines"), id="whitespace-only file"),
    pytest.param(csv_bytes(), 1, ("no data rows",), id="header-only file"),
    pytest.param(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06",
        None,
        ("binary file",),
        id="binary file (PNG)",
    ),
    pytest.param(
        random.Random(190).randbytes(4096) + b"\x00",
        None,
        ("binary file",),
        id="binary file (random bytes)",
    ),
    pytest.param(
        (HEADER + "\n" + GOOD_ROWS[0] + "\nKöln,DE,Lille,FR,partnership,1958,,active,x\n").encode(
            "latin-1"
        ),
        3,
        ("byte 0xf6 is not valid utf-8", "Latin-1", "--encoding cp1252"),
        id="wrong encoding (Latin-1)",
    ),
    pytest.param(
        (HEADER + "\n" + GOOD_ROWS[0] + "\n").encode("utf-16"),
        None,
        ("UTF-16", "--encoding utf-16"),
        id="wrong encoding (UTF-16)",
    ),
    pytest.param(
        one_bad_row("KÃ¶ln,DE,Lille,FR,partnership,1958,,active,Stadt Köln"),
        3,
        ("column city_a", "'KÃ¶ln' looks like mojibake", "'Köln'", "--repair-mojibake"),
        id="mojibake",
    ),
    pytest.param(
        one_bad_row("Dortmund,DE,Lille,FR,marriage,1990,,active,x"),
        3,
        ("column kind", "unknown kind 'marriage'", "partnership (Partnerschaft)"),
        id="unknown kind",
    ),
    pytest.param(
        one_bad_row("Dortmund,DE,Lille,FR,partnership,1990,1980,ended,x"),
        3,
        ("since 1990 is after until 1980",),
        id="since after until",
    ),
    pytest.param(
        one_bad_row("Dortmund,DE,Lille,FR,partnership,3024,,active,x"),
        3,
        ("since year 3024 is in the future",),
        id="year 3024",
    ),
    pytest.param(
        one_bad_row("Dortmund,DE,Lille,FR,partnership,last spring,,active,x"),
        3,
        ("since", "'last spring' is not a year"),
        id="bad date text",
    ),
    pytest.param(
        one_bad_row("Dortmund,DE,Lille,FR,partnership,1990,2001,active,x"),
        3,
        ("status is 'active' but the twinning ended",),
        id="active status with an end date",
    ),
    pytest.param(
        one_bad_row("Dortmund,DE,Lille,FR,partnership,1990,,activ,x"),
        3,
        ("unknown status 'activ'",),
        id="unknown status",
    ),
    pytest.param(
        one_bad_row("Dortmund,DE,Lille,XX,partnership,1990,,active,x"),
        3,
        ("column country_b", "unknown country 'XX'"),
        id="unknown country",
    ),
    pytest.param(
        one_bad_row("Dortmund,DE,Dortmund,DE,partnership,1990,,active,x"),
        3,
        ("cannot be twinned with itself", "Dortmund"),
        id="self-twinning",
    ),
    pytest.param(
        csv_bytes(*GOOD_ROWS, GOOD_ROWS[0]),
        4,
        ("duplicate row", "on line 2"),
        id="duplicate row",
    ),
    pytest.param(
        csv_bytes(*GOOD_ROWS, "Leeds,GB,Dortmund,DE,partnership,1969,,active,City of Leeds"),
        4,
        ("duplicate row", "on line 2"),
        id="reversed duplicate (B-A after A-B)",
    ),
    pytest.param(
        one_bad_row('Dortmund,DE,"Lille,FR,partnership,1990,,active,x'),
        3,
        ("not readable as CSV", "quote"),
        id="unclosed quote",
    ),
]


@pytest.mark.parametrize(("content", "line", "words"), BROKEN_CSV)
def test_broken_csv_is_refused_and_leaves_the_store_untouched(
    tmp_path: Path, filled_store: Path, content: bytes, line: int | None, words: tuple[str, ...]
) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_bytes(content)
    before = store_fingerprint(filled_store)

    result = ingest(broken, filled_store)

    assert_refused(result, broken, line, *words)
    assert store_fingerprint(filled_store) == before


NODES_HEADER = "id\tname\tlng\tlat\tcountry\tcountrycd\tcontinent"
NODES = (
    "Q1295\tDortmund\t7.465\t51.514\tGermany\tDE\tEurope",
    "Q39121\tLeeds\t-1.548\t53.797\tUnited Kingdom\tGB\tEurope",
)


def tsv(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


BROKEN_DIRECTORIES = [
    pytest.param(
        {
            "nodes.tsv": tsv(NODES_HEADER, *NODES),
            "links.tsv": tsv("source\ttarget", "Q1295\tQ39121", "Q1295\tQ999999"),
        },
        "links.tsv",
        3,
        ("Q999999 is not a node in nodes.tsv",),
        id="twin network: link to an unknown node",
    ),
    pytest.param(
        {
            "nodes.tsv": tsv(NODES_HEADER, NODES[0].replace("7.465", "seven"), NODES[1]),
            "links.tsv": tsv("source\ttarget", "Q1295\tQ39121"),
        },
        "nodes.tsv",
        2,
        ("column lng", "'seven' is not a number"),
        id="twin network: coordinate that is not a number",
    ),
    pytest.param(
        {
            "nodes.tsv": tsv(NODES_HEADER, *NODES),
            "links.tsv": tsv("from\tto", "Q1295\tQ39121"),
        },
        "links.tsv",
        1,
        ("missing column", "source, target"),
        id="twin network: links without a source-target header",
    ),
    pytest.param(
        {
            "relations.tsv": tsv("Q1295\tQ39121", "Q1295\tLeeds"),
            "names.tsv": tsv("Q1295\tDortmund", "Q39121\tLeeds"),
        },
        "relations.tsv",
        2,
        ("column 2", "'Leeds' is not a Wikidata QID"),
        id="wikidata tsv: cell that is not a QID",
    ),
    pytest.param(
        {
            "relations.tsv": tsv("Q1295\tQ39121", "Q1295\tQ1295"),
            "names.tsv": tsv("Q1295\tDortmund", "Q39121\tLeeds"),
        },
        "relations.tsv",
        2,
        ("cannot be twinned with itself", "Q1295"),
        id="wikidata tsv: self-pair",
    ),
    pytest.param(
        {
            "relations.tsv": tsv("Q1295\tQ39121"),
            "names.tsv": tsv("Q1295 Dortmund", "Q39121\tLeeds"),
        },
        "names.tsv",
        1,
        ("expected 2 tab-separated cells",),
        id="wikidata tsv: label line without a tab",
    ),
]


@pytest.mark.parametrize(("files", "culprit", "line", "words"), BROKEN_DIRECTORIES)
def test_broken_data_set_directory_is_refused_and_leaves_the_store_untouched(
    tmp_path: Path,
    filled_store: Path,
    files: dict[str, str],
    culprit: str,
    line: int,
    words: tuple[str, ...],
) -> None:
    directory = tmp_path / "dataset"
    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    before = store_fingerprint(filled_store)

    result = ingest(directory, filled_store)

    assert_refused(result, directory / culprit, line, *words)
    assert store_fingerprint(filled_store) == before


SPARQL_RESULTS = {
    "head": {"vars": ["city", "cityLabel", "partner", "partnerLabel"]},
    "results": {
        "bindings": [
            {
                "city": {"type": "uri", "value": "http://www.wikidata.org/entity/Q1295"},
                "cityLabel": {"type": "literal", "xml:lang": "de", "value": "Dortmund"},
                "partner": {"type": "uri", "value": "http://www.wikidata.org/entity/Q39121"},
                "partnerLabel": {"type": "literal", "xml:lang": "de", "value": "Leeds"},
            },
            {
                "city": {"type": "uri", "value": "http://www.wikidata.org/entity/Q1295"},
                "cityLabel": {"type": "literal", "xml:lang": "de", "value": "Dortmund"},
                "partner": {"type": "uri", "value": "http://www.wikidata.org/entity/Q46743"},
                "partnerLabel": {"type": "literal", "xml:lang": "de", "value": "Amiens"},
            },
        ]
    },
}


def _p190_claim(subject: str, partner: str) -> dict:
    return {
        "mainsnak": {
            "snaktype": "value",
            "property": "P190",
            "datavalue": {
                "value": {"entity-type": "item", "numeric-id": int(partner[1:]), "id": partner},
                "type": "wikibase-entityid",
            },
            "datatype": "wikibase-item",
        },
        "type": "statement",
        "id": f"{subject}$0",
        "rank": "normal",
    }


WIKIDATA_ENTITIES = {
    "entities": {
        "Q1295": {
            "type": "item",
            "id": "Q1295",
            "labels": {"de": {"language": "de", "value": "Dortmund"}},
            "claims": {"P190": [_p190_claim("Q1295", "Q39121"), _p190_claim("Q1295", "Q46743")]},
        }
    },
    "success": 1,
}


def pretty(document: object) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def cut_in_half(document: object) -> str:
    text = pretty(document)
    return text[: len(text) // 2]


def last_line(text: str) -> int:
    return text.count("\n") + 1


def without_city(document: dict) -> dict:
    bindings = [
        {k: v for k, v in b.items() if k != "city"} for b in document["results"]["bindings"]
    ]
    return {**document, "results": {"bindings": bindings}}


SPARQL_CUT = cut_in_half(SPARQL_RESULTS)
ENTITIES_CUT = cut_in_half(WIKIDATA_ENTITIES)
NOT_SPARQL = "not SPARQL JSON results: there is no 'head' and 'results' object"
NOT_ENTITIES = "not Wikidata entity JSON: there is no 'entities' object"

BROKEN_JSON = [
    pytest.param(
        "sparql-json",
        SPARQL_CUT,
        last_line(SPARQL_CUT),
        ("not valid JSON",),
        id="SPARQL JSON truncated",
    ),
    pytest.param(
        "sparql-json", pretty({"foo": []}), None, (NOT_SPARQL,), id="SPARQL JSON {foo: []}"
    ),
    pytest.param("sparql-json", "[1, 2, 3]", None, (NOT_SPARQL,), id="SPARQL JSON [1, 2, 3]"),
    pytest.param(
        "sparql-json",
        pretty(without_city(SPARQL_RESULTS)),
        12,
        ("binding #1", "?city is unbound"),
        id="SPARQL JSON bindings without city",
    ),
    pytest.param(
        "wikidata-entity",
        ENTITIES_CUT,
        last_line(ENTITIES_CUT),
        ("not valid JSON",),
        id="Wikidata entity JSON truncated",
    ),
    pytest.param(
        "wikidata-entity",
        pretty({"foo": []}),
        None,
        (NOT_ENTITIES, "wbgetentities"),
        id="Wikidata entity JSON {foo: []}",
    ),
    pytest.param(
        "wikidata-entity", "[1, 2, 3]", None, (NOT_ENTITIES,), id="Wikidata entity JSON [1, 2, 3]"
    ),
]


@pytest.mark.parametrize(("format", "text", "line", "words"), BROKEN_JSON)
def test_broken_json_is_refused_and_leaves_the_store_untouched(
    tmp_path: Path,
    filled_store: Path,
    format: str,
    text: str,
    line: int | None,
    words: tuple[str, ...],
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(text, encoding="utf-8")
    before = store_fingerprint(filled_store)

    result = ingest(broken, filled_store, "--format", format)

    assert_refused(result, broken, line, *words)
    assert store_fingerprint(filled_store) == before


SKIPPABLE = (
    HEADER,
    "Dortmund,DE,Leeds,GB,Partnerschaft,1969,,active,Stadt Dortmund",
    "Dortmund,DE,Lille,FR,marriage,1990,,active,Stadt Dortmund",
    "Dortmund,DE,Amiens,FR,partnership,1960,,active,Stadt Dortmund",
    "Dortmund,DE,Dortmund,DE,partnership,1990,,active,Stadt Dortmund",
    "Dortmund,DE,Buffalo,US,partnership,3024,,active,Stadt Dortmund",
    "Dortmund,DE,Novi Sad,RS,Partnerschaft,1982,,active,Stadt Dortmund",
)


def test_skip_invalid_ingests_the_valid_rows_and_reports_the_rejected_ones(
    tmp_path: Path, store_dir: Path
) -> None:
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("".join(line + "\n" for line in SKIPPABLE), encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()

    result = ingest(mixed, store_dir, "--skip-invalid", "--reports", str(reports))

    assert result.returncode == 0, result.stderr
    stats = run_cli("stats", "--store", store_dir, "--format", "json")
    assert json.loads(stats.stdout)["relations"]["Twinning"] == 3
    report = reports / "citydiplo-rejected-mixed.csv"
    assert f"3 invalid rows skipped: {report}" in result.stdout
    with report.open(encoding="utf-8", newline="") as handle:
        rejected = [(row["line"], row["reason"], row["content"]) for row in csv.DictReader(handle)]
    assert [(line, content) for line, _, content in rejected] == [
        ("3", SKIPPABLE[2]),
        ("5", SKIPPABLE[4]),
        ("6", SKIPPABLE[5]),
    ]
    reasons = [reason for _, reason, _ in rejected]
    assert "unknown kind 'marriage'" in reasons[0]
    assert "cannot be twinned with itself" in reasons[1]
    assert "since year 3024 is in the future" in reasons[2]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        pytest.param(
            csv_bytes(*GOOD_ROWS, header=HEADER.replace(",kind", "")),
            ("missing column", "kind"),
            id="missing column",
        ),
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", ("binary",), id="binary"),
        pytest.param(b"", ("empty",), id="empty file"),
        pytest.param(
            csv_bytes(
                "Dortmund,DE,Leeds,GB,kind?,1969,,active,x",
                "Dortmund,DE,Lille,FR,partnership,1990,,active,x,y",
            ),
            ("none of the 2 rows is valid",),
            id="no valid row at all",
        ),
    ],
)
def test_skip_invalid_cannot_skip_past_a_broken_file(
    tmp_path: Path, filled_store: Path, content: bytes, words: tuple[str, ...]
) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_bytes(content)
    before = store_fingerprint(filled_store)

    result = ingest(broken, filled_store, "--skip-invalid", "--reports", str(tmp_path))

    assert_refused(result, broken, None, *words)
    assert store_fingerprint(filled_store) == before
    assert not list(tmp_path.glob("citydiplo-rejected-*"))


def test_a_second_writer_is_refused_while_the_store_is_locked(
    tmp_path: Path, filled_store: Path
) -> None:
    good = tmp_path / "more.csv"
    good.write_bytes(csv_bytes("Dortmund,DE,Novi Sad,RS,Partnerschaft,1982,,active,x"))

    with open_store(filled_store, writable=True):
        result = ingest(good, filled_store)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "locked" in " ".join(result.stderr.split())
