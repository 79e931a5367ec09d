"""The settings' refusals, in Indonesian: what the ADB reads when `.env` or a `*_FILE` is wrong
(`sopbot run`, `sopbot check`, every command). The codes and their English (for logs) are in
`core/settings.py`."""

from __future__ import annotations

from core.settings import Refusal, SettingFault, SettingsError

REFUSAL_WORDS: dict[Refusal, str] = {
    Refusal.NOT_AGE_KEY: "{key}… bukan kunci publik age (age1…, 62 karakter)",
    Refusal.NOT_SIGNING_KEY: "bukan kunci publik tanda tangan (nama+hash+base64)",
    Refusal.HOURS_FORMAT: "harus berbentuk 07:30-16:00",
    Refusal.HOURS_ORDER: "harus jam buka lalu jam tutup yang lebih akhir, mis. 07:30-16:00",
    Refusal.WEEKDAYS_FORMAT: "harus nomor hari ISO (1 = Senin), mis. 1-5 atau 1-6",
    Refusal.WEEKDAYS_RANGE: "harus nomor hari ISO dari 1 (Senin) sampai 7 (Minggu)",
    Refusal.NOT_HTTP: "harus diawali http:// atau https://",
    Refusal.NOT_SCHEMA_NAME: "{name!r} bukan nama skema Oracle biasa",
    Refusal.NOT_SCHEMA_TABLE: "{name!r} bukan SKEMA.TABEL",
    Refusal.WEEKDAY_BY_NAME: (
        "tulis hari dengan namanya (sun, mon, …): APScheduler menghitung 0 sebagai Senin, "
        "cron sebagai Minggu"
    ),
    Refusal.NOT_CRONTAB: (
        "bukan baris crontab yang sah (menit jam tanggal bulan hari); pesan penjadwal: {detail}"
    ),
    Refusal.DUMP_NAME_FOLDERS: "harus nama file tanpa folder, mis. SIAK_%Y%m%d_%H%M.dmp",
    Refusal.DIRECTORY_NAME: "harus nama directory object Oracle",
    Refusal.NOT_DATABASE_URL: (
        "harus URL database, mis. sqlite:///data/sopbot.db atau "
        "postgresql+psycopg://user:password@host/sopbot"
    ),
    Refusal.OFFICE_ID_DIGITS: "harus kode wilayah berupa angka, mis. 5108 (Buleleng)",
    Refusal.NOT_POSTGRES_URL: (
        "harus URL PostgreSQL, mis. postgresql+psycopg://sopbot_kantor_5108:…@host/pusat"
    ),
    Refusal.EMPTY: "tidak boleh kosong",
    Refusal.UNKNOWN_TIMEZONE: "zona waktu {value!r} tidak dikenal (mis. Asia/Makassar)",
    Refusal.AGE_NEEDS_RECIPIENTS: (
        "EXTERNAL_ENCRYPTION=age memerlukan EXTERNAL_AGE_RECIPIENTS (jalankan `sopbot keys init`)"
    ),
    Refusal.DRILL_SCHEMA_REAL: (
        "DRILL_SCHEMA {schema} adalah skema berisi data asli atau user bot sendiri: uji pulih "
        "akan mengganti lalu menghapus tabelnya"
    ),
    Refusal.OFFICE_NEEDS_CENTRAL: (
        "OFFICE_ID diisi: CENTRAL_DATABASE_URL harus menyebut ke mana kantor melapor"
    ),
    Refusal.BACKEND_NEEDS: "DUMP_BACKEND={backend} memerlukan {missing}",
    Refusal.FILE_UNREADABLE: "{path} tidak dapat dibaca ({reason})",
    Refusal.FILE_NOT_TEXT: "{detail}",
    Refusal.MISSING: "wajib diisi, belum ada",
    Refusal.NOT_INTEGER: "harus bilangan bulat",
    Refusal.NOT_NUMBER: "harus angka",
    Refusal.NOT_BOOLEAN: "harus true atau false",
    Refusal.NOT_TIME: "harus jam JJ:MM",
    Refusal.NOT_A_CHOICE: "pilihan yang sah: {expected}",
    Refusal.TOO_LARGE: "paling besar {le}",
    Refusal.TOO_SMALL: "paling kecil {ge}",
    Refusal.INVALID: "nilai tidak sah ({detail})",
}

SETTINGS_INVALID = "Pengaturan tidak valid (periksa .env atau environment):"


def fault_line(fault: SettingFault) -> str:
    return f"{fault.name}: {REFUSAL_WORDS[fault.refusal].format(**fault.params)}"


def settings_error(error: SettingsError) -> str:
    """Each wrong setting on its own line, under one heading."""
    return "\n".join([SETTINGS_INVALID, *(f"  {fault_line(f)}" for f in error.faults)])
