"""Country names and codes as event datasets write them -> ISO 3166-1 alpha-3.

State IRIs are ``id/state/{alpha-3}`` (DESIGN.md §3), so every country an import names must
become a code. pycountry holds ISO 3166 (names, official names, common names, codes);
``ALIASES`` adds the names event datasets use that ISO does not (ICEWS writes "Occupied
Palestinian Territory", "Burma", "Turkey", "Kosovo"). Nothing is guessed: a name neither
knows stays unresolved and is reported, never matched fuzzily (a fuzzy search maps "Kosovo"
to Serbia).
"""

from __future__ import annotations

from functools import lru_cache

import pycountry

from publisher.build.importers.names import normalise

#: Names used by ICEWS, POLECAT and GDELT that ISO 3166 spells differently or lacks. XKX is
#: the user-assigned code the European Commission, the IMF and the World Bank use for Kosovo.
ALIASES: dict[str, str] = {
    "occupied palestinian territory": "PSE",
    "palestinian territory": "PSE",
    "palestine": "PSE",
    "west bank": "PSE",
    "gaza strip": "PSE",
    "congo democratic republic of": "COD",
    "democratic republic of congo": "COD",
    "democratic republic of the congo": "COD",
    "republic of congo": "COG",
    "ivory coast": "CIV",
    "cote d ivoire": "CIV",
    "burma": "MMR",
    "turkey": "TUR",
    "swaziland": "SWZ",
    "cape verde": "CPV",
    "east timor": "TLS",
    "timor leste": "TLS",
    "macedonia": "MKD",
    "macedonia the former yugoslav republic of": "MKD",
    "micronesia": "FSM",
    "vatican city": "VAT",
    "holy see": "VAT",
    "brunei": "BRN",
    "kosovo": "XKX",
    "north korea": "PRK",
    "south korea": "KOR",
    "russia": "RUS",
    "syria": "SYR",
    "iran": "IRN",
    "laos": "LAO",
    "vietnam": "VNM",
    "taiwan": "TWN",
    "united states": "USA",
    "united states of america": "USA",
    "united kingdom": "GBR",
    "great britain": "GBR",
    "czech republic": "CZE",
    "serbia and montenegro": "SCG",
    "yugoslavia": "YUG",
    "bahamas": "BHS",
    "gambia": "GMB",
    "netherlands antilles": "ANT",
}


#: CAMEO's country codes (GDELT's actor country columns) that are not ISO 3166-1 alpha-3,
#: from GDELT's lookup table ``CAMEO.country.txt`` (gdeltproject.org/data/lookups). Its
#: other country codes are ISO's; its region codes ("AFR", "WST", …) name no state and
#: stay unresolved.
CAMEO_COUNTRY_CODES: dict[str, str] = {
    "ROM": "ROU",  # Romania
    "TMP": "TLS",  # East Timor
    "MTN": "MNE",  # Montenegro
    "IMY": "IMN",  # Isle of Man
    "WSB": "PSE",  # West Bank
    "GZS": "PSE",  # Gaza Strip
}


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                index.setdefault(normalise(value), country.alpha_3)
    index.update(ALIASES)
    return index


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    """alpha-3 -> an English name, for the ISO codes and the aliases' extra codes."""
    names = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update({"XKX": "Kosovo", "SCG": "Serbia and Montenegro", "YUG": "Yugoslavia"})
    names.setdefault("ANT", "Netherlands Antilles")
    return names


def alpha3(value: str) -> str | None:
    """The ISO 3166-1 alpha-3 code of a country name, ISO code or CAMEO code, or None."""
    text = value.strip()
    if len(text) == 3 and text.isalpha():
        code = text.upper()
        if code in _codes():
            return code
        if code in CAMEO_COUNTRY_CODES:
            return CAMEO_COUNTRY_CODES[code]
    return _index().get(normalise(text))


def english_name(code: str) -> str:
    """ISO's short English name of an alpha-3 code (the common name where ISO has one)."""
    return _codes().get(code, code)
