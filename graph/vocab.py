"""The citydiplo vocabulary: namespaces, classes, properties, SKOS schemes and IRI minting.

Every module that reads or writes RDF imports its terms from here, so the vocabulary has one
definition. `ontology.ttl` beside this file describes the same terms for RDF tools; a test
keeps the two in step.

IRIs are deterministic: the same input always mints the same IRI, so re-ingesting a file
adds nothing and two sources that name the same city meet in one node.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from pyoxigraph import NamedNode

NS = "https://citydiplo.org/ns#"
ID = "https://citydiplo.org/id/"
KIND_SCHEME = "https://citydiplo.org/id/kind/"
CONTACT_KIND_SCHEME = "https://citydiplo.org/id/contact-kind/"
TIE_KIND_SCHEME = "https://citydiplo.org/id/tie-kind/"
STATUS_SCHEME = "https://citydiplo.org/id/status/"
ONTOLOGY_GRAPH = "https://citydiplo.org/ns"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
P = "http://www.wikidata.org/prop/"
PS = "http://www.wikidata.org/prop/statement/"
PQ = "http://www.wikidata.org/prop/qualifier/"
GEONAMES = "https://sws.geonames.org/"

PREFIXES: dict[str, str] = {
    "cd": NS,
    "cdid": ID,
    "kind": KIND_SCHEME,
    "contactkind": CONTACT_KIND_SCHEME,
    "tiekind": TIE_KIND_SCHEME,
    "status": STATUS_SCHEME,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "org": ORG,
    "schema": SCHEMA,
    "geo": GEO,
    "wd": WD,
    "wdt": WDT,
    "p": P,
    "ps": PS,
    "pq": PQ,
}


def _nn(base: str, local: str) -> NamedNode:
    return NamedNode(base + local)


# --- classes -----------------------------------------------------------------------------
ENTITY_CLASSES = (
    "City",
    "Region",
    "Country",
    "CityNetwork",
    "FederalBody",
    "Programme",
    "Association",
    "Organisation",
    "Project",
    "Asset",
)
RELATION_CLASSES = (
    "Twinning",
    "Membership",
    "Contact",
    "Funding",
    "Stake",
    "Investment",
    "Cooperation",
    "Control",
)

CLASS = {
    name: _nn(NS, name) for name in ENTITY_CLASSES + RELATION_CLASSES + ("Source", "SourceRecord")
}

# --- properties --------------------------------------------------------------------------
TYPE = _nn(RDF, "type")
LABEL = _nn(RDFS, "label")
SAME_AS = _nn(OWL, "sameAs")
NAME = _nn(SCHEMA, "name")
ALTERNATE_NAME = _nn(SCHEMA, "alternateName")
POPULATION = _nn(SCHEMA, "population")
LAT = _nn(GEO, "lat")
LONG = _nn(GEO, "long")
PREF_LABEL = _nn(SKOS, "prefLabel")

COUNTRY = _nn(NS, "country")
QID = _nn(NS, "qid")
GEONAMES_ID = _nn(NS, "geonamesId")
ISO2 = _nn(NS, "iso2")
RESOLUTION = _nn(NS, "resolution")

PARTNER = _nn(NS, "partner")
TWINNED_WITH = _nn(NS, "twinnedWith")
KIND = _nn(NS, "kind")
SINCE = _nn(NS, "since")
UNTIL = _nn(NS, "until")
STATUS = _nn(NS, "status")

DESCRIPTION = _nn(SCHEMA, "description")
FOUNDED = _nn(SCHEMA, "foundingDate")
LOCATED_IN = _nn(NS, "locatedIn")
CRITICAL = _nn(NS, "critical")
SUB_ORGANIZATION_OF = _nn(ORG, "subOrganizationOf")

# Membership (W3C ORG), with the Wikidata "member of" shortcut.
ORG_MEMBERSHIP = _nn(ORG, "Membership")
ORG_MEMBER = _nn(ORG, "member")
ORG_ORGANIZATION = _nn(ORG, "organization")
ROLE = _nn(NS, "role")
OBSERVED_IN = _nn(NS, "observedIn")
WDT_MEMBER_OF = _nn(WDT, "P463")

# Contacts with the federal level.
CONTACT_KIND = _nn(NS, "contactKind")
FROM = _nn(NS, "from")
TO = _nn(NS, "to")
VIA = _nn(NS, "via")
PROGRAMME = _nn(NS, "programme")
AMOUNT = _nn(NS, "amount")
CURRENCY = _nn(NS, "currency")
REACHES = _nn(NS, "reaches")
FUNDED_BY = _nn(NS, "fundedBy")

# Dependency ties.
TIE_KIND = _nn(NS, "tieKind")
OWNER = _nn(NS, "owner")
ASSET = _nn(NS, "asset")
SHARE = _nn(NS, "share")
INVESTOR = _nn(NS, "investor")
INVESTEE = _nn(NS, "investee")
PARTICIPANT = _nn(NS, "participant")
VENDOR = _nn(NS, "vendor")
DOMAIN = _nn(NS, "domain")
CONTROLLED = _nn(NS, "controlled")
CONTROLLER = _nn(NS, "controller")
OWNS_STAKE_IN = _nn(NS, "ownsStakeIn")
INVESTS_IN = _nn(NS, "investsIn")
COOPERATES_WITH = _nn(NS, "cooperatesWith")
CONTROLLED_BY = _nn(NS, "controlledBy")

WAS_DERIVED_FROM = _nn(PROV, "wasDerivedFrom")
HAD_PRIMARY_SOURCE = _nn(PROV, "hadPrimarySource")
GENERATED_AT = _nn(PROV, "generatedAtTime")
ROW = _nn(NS, "row")
CITATION = _nn(NS, "citation")
FILE = _nn(NS, "file")
SHA256 = _nn(NS, "sha256")
RETRIEVED = _nn(NS, "retrieved")
ROW_COUNT = _nn(NS, "rowCount")
FORMAT = _nn(NS, "format")

# Wikidata alignment: the twinning node doubles as the P190 statement node of both partners,
# so the Wikidata Query Service's own P190 query (with P580/P582 qualifiers) runs unchanged on
# a citydiplo store.
WDT_P190 = _nn(WDT, "P190")
P_P190 = _nn(P, "P190")
PS_P190 = _nn(PS, "P190")
WDT_COUNTRY = _nn(WDT, "P17")
WDT_ISO2 = _nn(WDT, "P297")
PQ_START = _nn(PQ, "P580")
PQ_END = _nn(PQ, "P582")

XSD_GYEAR = _nn(XSD, "gYear")
XSD_GYEARMONTH = _nn(XSD, "gYearMonth")
XSD_DATE = _nn(XSD, "date")
XSD_DATETIME = _nn(XSD, "dateTime")
XSD_DECIMAL = _nn(XSD, "decimal")
XSD_INTEGER = _nn(XSD, "integer")


# --- SKOS schemes -------------------------------------------------------------------------
@dataclass(frozen=True)
class Concept:
    """One concept of a SKOS scheme, with the names an input file may use for it."""

    key: str
    label_en: str
    label_de: str
    aliases: tuple[str, ...] = ()
    scheme: str = KIND_SCHEME

    @property
    def iri(self) -> NamedNode:
        return NamedNode(self.scheme + self.key)


# The Deutscher Städtetag / RGRE terms first, then the kinds seen in practice. Extending the
# scheme means adding a Concept here and its description in ontology.ttl.
TWINNING_KINDS: tuple[Concept, ...] = (
    Concept(
        "partnership",
        "twinning",
        "Partnerschaft",
        ("städtepartnerschaft", "sister city", "sister-city", "town twinning", "twin", "p190"),
    ),
    Concept("friendship", "friendship", "Freundschaft", ("städtefreundschaft", "friendship city")),
    Concept("contact", "contact", "Kontakt", ("kontakte",)),
    Concept(
        "project",
        "project partnership",
        "Projektpartnerschaft",
        ("project", "projekt", "project_partner"),
    ),
    Concept("climate", "climate partnership", "Klimapartnerschaft", ("klima",)),
    Concept(
        "innovation",
        "innovation partnership",
        "Innovationspartnerschaft",
        ("innovation",),
    ),
    Concept("partner-province", "partner province", "Partnerprovinz", ("partner region",)),
)

STATUSES = ("active", "dormant", "on-hold", "ended")

CONTACT_KINDS: tuple[Concept, ...] = tuple(
    Concept(key, en, de, aliases, CONTACT_KIND_SCHEME)
    for key, en, de, aliases in (
        ("funding", "funding", "Förderung", ("funded by", "grant")),
        ("contact-point", "contact point", "Ansprechstelle", ("contact", "focal point")),
        ("coordination-round", "coordination round", "Koordinierungsrunde", ("round table",)),
        ("consultation", "consultation", "Konsultation", ("exchange", "austausch")),
        ("representation", "representation", "Interessenvertretung", ("represents",)),
        ("delegation", "delegation", "Delegation", ("delegation trip",)),
        ("visit", "visit", "Besuch", ("reise",)),
    )
)

TIE_KINDS: tuple[Concept, ...] = tuple(
    Concept(key, en, de, aliases, TIE_KIND_SCHEME)
    for key, en, de, aliases in (
        ("stake", "ownership stake", "Beteiligung", ("ownership", "owns stake in", "share")),
        ("investment", "investment", "Investition", ("invests in",)),
        ("cooperation", "technology cooperation", "Kooperation", ("cooperates with",)),
        ("control", "control", "Kontrolle", ("controlled by", "state control")),
    )
)

# Sectors of critical infrastructure (KRITIS) an asset can be flagged with.
CRITICAL_SECTORS = ("port", "energy", "water", "health", "digital", "transport")


def _concept_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().casefold())


def _index(concepts: tuple[Concept, ...]) -> dict[str, Concept]:
    return {
        _concept_key(name): concept
        for concept in concepts
        for name in (concept.key, concept.label_en, concept.label_de, *concept.aliases)
    }


_KIND_BY_NAME = _index(TWINNING_KINDS)
_CONTACT_KIND_BY_NAME = _index(CONTACT_KINDS)
_TIE_KIND_BY_NAME = _index(TIE_KINDS)


def twinning_kind(text: str) -> Concept | None:
    """The twinning kind an input names, in English or German, or None if it names none."""
    return _KIND_BY_NAME.get(_concept_key(text))


def contact_kind(text: str) -> Concept | None:
    """The kind of federal contact an input names, in English or German, or None."""
    return _CONTACT_KIND_BY_NAME.get(_concept_key(text))


def tie_kind(text: str) -> Concept | None:
    """The kind of dependency tie an input names, in English or German, or None."""
    return _TIE_KIND_BY_NAME.get(_concept_key(text))


def kind_by_key(key: str) -> Concept:
    return next(concept for concept in TWINNING_KINDS if concept.key == key)


def status_iri(status: str) -> NamedNode:
    return NamedNode(STATUS_SCHEME + status)


# --- IRI minting --------------------------------------------------------------------------
def slug(text: str) -> str:
    """A stable ASCII slug: 'Köln' -> 'koln', 'Xi’an' -> 'xi-an'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-") or "x"


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def entity_iri(
    class_name: str,
    *,
    qid: str | None = None,
    geonames_id: int | None = None,
    name: str | None = None,
    country: str | None = None,
) -> NamedNode:
    """The IRI of an entity: QID-based where known, else GeoNames-based, else name+country.

    Cities and regions share one base, so a place one file calls a city and another a region
    stays one node.
    """
    base = f"{ID}{'city' if class_name == 'Region' else class_name.casefold()}/"
    if qid:
        return NamedNode(base + qid)
    if geonames_id is not None:
        return NamedNode(f"{base}gn{geonames_id}")
    if not name:
        raise ValueError("an entity needs a QID, a GeoNames id or a name")
    return NamedNode(f"{base}{(country or 'xx').casefold()}/{slug(name)}")


def country_iri(iso2: str) -> NamedNode:
    return NamedNode(f"{ID}country/{iso2.upper()}")


def twinning_iri(partner_a: NamedNode, partner_b: NamedNode, kind: Concept) -> NamedNode:
    """One IRI for A–B and B–A: the partners are sorted before hashing."""
    low, high = sorted((partner_a.value, partner_b.value))
    return NamedNode(f"{ID}twinning/{_digest(low, high, kind.key)}")


def relation_iri(class_name: str, *parts: str) -> NamedNode:
    return NamedNode(f"{ID}{class_name.casefold()}/{_digest(*parts)}")


def source_iri(source_name: str) -> NamedNode:
    return NamedNode(f"{ID}source/{slug(source_name)}")


def record_iri(source: NamedNode, row: int) -> NamedNode:
    return NamedNode(f"{source.value}#row-{row}")


def wikidata_iri(qid: str) -> NamedNode:
    return NamedNode(WD + qid)


def geonames_iri(geonames_id: int) -> NamedNode:
    return NamedNode(f"{GEONAMES}{geonames_id}/")


QID_PATTERN = re.compile(r"Q[1-9][0-9]*")


def qid_from_iri(iri: str) -> str | None:
    """The QID at the end of a Wikidata or citydiplo IRI, if there is one."""
    match = re.search(r"/(Q[1-9][0-9]*)$", iri)
    return match.group(1) if match else None
