"""A small SIAK-like sample database of invented residents (`sopbot sample-db`), for trying the
default `sqlite` backend, the demo and the tests.

Every name, number and address is generated; the NIK and KK numbers start with 99, which is no
Indonesian region code, so they can never be mistaken for real ones.
"""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

FIRST = [
    "Wayan",
    "Made",
    "Nyoman",
    "Ketut",
    "Putu",
    "Kadek",
    "Komang",
    "Gede",
    "Luh",
    "Ayu",
    "Agus",
    "Dewi",
    "Sri",
    "Eka",
    "Dwi",
    "Tri",
    "Budi",
    "Siti",
    "Rina",
    "Andi",
]
LAST = [
    "Suartika",
    "Artawan",
    "Wirawan",
    "Sudarsana",
    "Mahendra",
    "Lestari",
    "Pratiwi",
    "Saputra",
    "Wulandari",
    "Yasa",
    "Darma",
    "Astawa",
    "Sukadana",
    "Parwati",
    "Juliana",
]
VILLAGES = [
    "Banyuasri",
    "Kampung Baru",
    "Penarukan",
    "Kaliuntu",
    "Beratan",
    "Paket Agung",
    "Banjar Jawa",
    "Liligundi",
    "Kendran",
    "Astina",
]


def create_sample_database(path: Path, residents: int = 3000, seed: int = 2017) -> Path:
    """Write the sample database to `path` (replacing it) and return the path."""
    rng = random.Random(seed)  # noqa: S311 - invented data, not security
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with closing(sqlite3.connect(path)) as db:
        db.executescript(
            """
            CREATE TABLE DATA_KELUARGA (NO_KK TEXT PRIMARY KEY, NAMA_KEP TEXT, ALAMAT TEXT,
                                        NO_RT INTEGER, NO_RW INTEGER, KEL_NAME TEXT);
            CREATE TABLE BIODATA_WNI (NIK TEXT PRIMARY KEY, NO_KK TEXT REFERENCES DATA_KELUARGA,
                                      NAMA_LGKP TEXT, JENIS_KLMIN INTEGER, TMPT_LHR TEXT,
                                      TGL_LHR TEXT, AGAMA INTEGER, STAT_KWN INTEGER,
                                      PDDK_AKH INTEGER, JENIS_PKRJN INTEGER);
            CREATE TABLE T5_LOG_CETAK_KTP (ID INTEGER PRIMARY KEY, NIK TEXT, TGL_CETAK TEXT);
            """
        )
        families: list[str] = []
        person = 0
        while person < residents:
            kk = f"99{len(families):014d}"
            members = min(rng.randint(1, 6), residents - person)
            head = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            db.execute(
                "INSERT INTO DATA_KELUARGA VALUES (?,?,?,?,?,?)",
                (
                    kk,
                    head,
                    f"Jl. Contoh No. {rng.randint(1, 200)}",
                    rng.randint(1, 20),
                    rng.randint(1, 10),
                    rng.choice(VILLAGES),
                ),
            )
            for _ in range(members):
                born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 30000))
                nik = f"99{person:014d}"
                db.execute(
                    "INSERT INTO BIODATA_WNI VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        nik,
                        kk,
                        f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                        rng.randint(1, 2),
                        "Singaraja",
                        born.isoformat(),
                        rng.randint(1, 6),
                        rng.randint(1, 4),
                        rng.randint(1, 10),
                        rng.randint(1, 80),
                    ),
                )
                if rng.random() < 0.7:
                    db.execute(
                        "INSERT INTO T5_LOG_CETAK_KTP (NIK, TGL_CETAK) VALUES (?, ?)",
                        (nik, (born + timedelta(days=365 * 17)).isoformat()),
                    )
                person += 1
            families.append(kk)
        db.commit()
    return path
