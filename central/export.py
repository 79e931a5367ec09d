"""The supervisor's table as a file: CSV as a spreadsheet opens it in Indonesia (`;` between
fields, UTF-8 with a BOM). Written by `sopbot pusat --csv` and the web view's downloads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from storage.central.view import OfficeState


def states_csv(states: Sequence[OfficeState], now: datetime, tz: tzinfo) -> bytes:
    """The table as a spreadsheet opens it in Indonesia: `;` between fields, UTF-8 with BOM."""
    import csv
    import io

    def when(moment: datetime | None) -> str:
        return "" if moment is None else f"{moment.astimezone(tz):%Y-%m-%d %H:%M}"

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "kode",
            "kantor",
            "aman",
            "dump_baik_terakhir",
            "salinan_terakhir",
            "terenkripsi",
            "uji_pulih_lulus_terakhir",
            "hari_tanpa_salinan",
            "aktif_terakhir",
            "masalah",
        ]
    )
    for s in states:
        days = s.days_without_copy(now)
        writer.writerow(
            [
                s.office_id,
                s.name,
                "ya" if s.safe else "tidak",
                when(s.last_dump),
                when(s.last_copy),
                "" if s.copy_encrypted is None else ("ya" if s.copy_encrypted else "tidak"),
                when(s.last_drill),
                "" if days is None else days,
                when(s.seen_at),
                " ".join(s.problems),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
