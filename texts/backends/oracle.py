"""The Oracle Data Pump backends (`oracle`, and `expdp` which says the same)."""

from texts.backends import BackendWords

WORDS = BackendWords(
    drill_check="Uji pulih Oracle",
    graded=True,
    # What each level leaves unproven, said with the verdict so a ✅ is never read as more.
    limits={
        1: "Belum dibuktikan: isi tabel (tingkat 1 hanya header dump). Naikkan DRILL_LEVEL.",
        2: "Belum dibuktikan: data baris (tingkat 2 membaca metadata saja).",
    },
)
