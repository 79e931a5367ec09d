"""Indonesia's provinces by their regional code (Kepmendagri's kode wilayah: the first two
digits of a regency's or city's code), as of the 2022 division of Papua."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from texts import web as texts

PROVINCES = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "DI Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}


def province_of(office_id: str) -> str:
    return office_id[:2]


def province_name(code: str) -> str:
    return PROVINCES.get(code, texts.unknown_province(code))


def kabupaten_name(code: str, office_name: str | None) -> str:
    return office_name or texts.unknown_kabupaten(code)


def kabupaten_of(office_id: str) -> str:
    """The regency or city (kabupaten/kota) of an office: the first four digits of its code;
    empty for an office of the province itself (a two-digit code)."""
    return office_id[:4] if len(office_id) >= 4 else ""


@dataclass(frozen=True)
class Place:
    """Where an office is: its province and its regency or city, by code and name."""

    province_code: str
    province: str
    kabupaten_code: str  # empty: an office of the province itself
    kabupaten: str


def places(offices: Iterable[tuple[str, str]]) -> dict[str, Place]:
    """Each office's place. A regency's or city's name is the name of the office registered with
    its four-digit code (its Disdukcapil), as far as this viewer sees it; otherwise the code."""
    names = dict(offices)
    found = {}
    for office_id in names:
        province = province_of(office_id)
        kabupaten = kabupaten_of(office_id)
        found[office_id] = Place(
            province,
            province_name(province),
            kabupaten,
            kabupaten_name(kabupaten, names.get(kabupaten)) if kabupaten else "",
        )
    return found
