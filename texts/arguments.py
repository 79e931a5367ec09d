"""Why the arguments of a chat command do not fit (`bot/arguments.py` raises them as
`UsageError`s; the chat shows them with the usage line)."""

from __future__ import annotations

NO_TARGET = "Sebutkan tujuan instruksi: adb atau kasi."
BAD_TARGET = "Tujuan instruksi harus adb atau kasi."
BAD_INSTRUCTION_NUMBER = "Nomor instruksi tidak valid."
DAYS_NOT_A_NUMBER = "Jumlah hari harus berupa angka."
PAGE_NOT_A_NUMBER = "Nomor halaman harus berupa angka."
PAGE_FROM_ONE = "Nomor halaman dimulai dari 1."
NO_MEMBER = "Sebutkan peran (adb, kasi atau kabid) dan ID Telegram orangnya."
BAD_ROLE = "Peran harus adb, kasi atau kabid."
NO_FOUND_LABEL = "Sebutkan label hard disk yang ditemukan."
MANUAL_NEEDS_NOTE = (
    "Setelah kata manual, tulis keterangan bagaimana salinan dibuat "
    "(contoh: /selesai 3 manual disalin lewat Windows Explorer ke HDD-2)."
)
BAD_USER_ID = "ID Telegram harus angka (terlihat saat orang itu mengirim /start ke bot)."
FOUND_NEEDS_REASON = (
    "Tulis juga alasannya, mis. di mana hard disk ditemukan (dicatat, dan menghentikan "
    "pengingat pemberitahuan UU 27/2022)."
)


def days_out_of_range(most: int) -> str:
    return f"Jumlah hari harus antara 1 dan {most}."
