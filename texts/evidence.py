"""Words for the evidence chain: its verification, the "sidik rantai" and the witness."""

from __future__ import annotations

from storage.chain_check import ChainReport, Finding, Found, Verdict

__all__ = [
    "AUDIT_ANNEX_CAPTION",
    "CHAIN_CHECK_NAME",
    "audit_caption",
    "chain_alarm_line",
    "chain_finding",
    "chain_report_lines",
    "chain_summary",
    "fingerprint_line",
]

CHAIN_CHECK_NAME = "Rantai bukti"

KIND_WORDS = {
    "dump": "dump",
    "copy": "salinan eksternal",
    "drill": "uji pulih",
    "disk": "hard disk",
    "member": "anggota",
    "instruction": "instruksi",
    "step": "langkah SOP",
    "audit": "catatan perubahan",
}


def _row(ref: str) -> str:
    kind, _, ident = ref.partition(":")
    return f"{KIND_WORDS.get(kind, kind)} #{ident}"


def _checkpoint(params: dict[str, object]) -> str:
    if params.get("checkpoint") == "pusat":
        return "checkpoint yang disaksikan pusat"
    return f"checkpoint #{params['checkpoint']} yang ditandatangani"


def chain_finding(finding: Finding) -> str:
    """One finding in a sentence, naming the first bad entry."""
    seq, params = finding.seq, finding.params
    match finding.code:
        case Found.MISSING:
            last = params.get("last", seq)
            span = f"#{seq}" if last == seq else f"#{seq} sampai #{last}"
            return f"entri {span} hilang (dihapus dari rantai)"
        case Found.REORDERED:
            return f"entri #{seq} tidak pada urutannya (baris rantai ditukar)"
        case Found.EDITED:
            return f"entri #{seq} diubah: isinya tidak cocok dengan hash-nya"
        case Found.TRUNCATED:
            return (
                f"entri #{seq} sampai #{params['last']} hilang, padahal sudah tercatat di "
                f"{_checkpoint(params)}"
            )
        case Found.REWRITTEN:
            return (
                f"rantai ditulis ulang: berbeda dari {_checkpoint(params)} "
                f"(ukuran {params['last']}); entri pertama yang rusak di antara #{seq} dan "
                f"#{params['last']}"
            )
        case Found.BAD_SIGNATURE:
            return (
                f"checkpoint #{params['checkpoint']} (ukuran {params['size']}) tidak "
                "ditandatangani kunci kantor"
            )
        case Found.BAD_WITNESS:
            return f"tanda tangan saksi pusat pada checkpoint #{params['checkpoint']} tidak sah"
        case Found.ROW_DIFFERS:
            return (
                f"{_row(params['ref'])} diubah di tabelnya sendiri: tidak sama dengan entri "
                f"#{seq} yang mencatatnya"
            )
        case Found.ROW_UNRECORDED:
            return f"{_row(params['ref'])} tidak tercatat di rantai bukti (ditambahkan diam-diam)"
        case Found.ROW_GONE:
            return f"{_row(params['ref'])} (entri #{seq}) dihapus dari tabelnya sendiri"


def chain_summary(report: ChainReport) -> str:
    """One line: what the check found (for /cek and the first line of the CLI)."""
    if report.verdict is Verdict.BROKEN and report.first is not None:
        more = len(report.findings) - 1
        tail = f" (dan {more} temuan lain)" if more > 0 else ""
        return "RUSAK — " + chain_finding(report.first) + tail
    if report.verdict is Verdict.CANNOT:
        if report.cannot == "database":
            return "tidak dapat diperiksa: basis data log tidak dapat dibaca"
        return (
            f"{report.size} entri utuh, tetapi tanda tangan checkpoint tidak dapat diperiksa "
            "(EVIDENCE_KEY_FILE tidak ada atau tidak terbaca)"
        )
    parts = [f"utuh, {report.size} entri, {report.rows_checked} baris cocok"]
    if report.latest is None:
        parts.append("belum ada checkpoint bertanda tangan")
    else:
        parts.append(f"{report.checkpoints} checkpoint sah (terakhir ukuran {report.latest.size})")
    parts.append(
        f"disaksikan pusat sampai ukuran {report.witnessed.size}"
        if report.witnessed is not None
        else "belum disaksikan"
    )
    return ", ".join(parts)


def chain_report_lines(report: ChainReport) -> list[str]:
    """The CLI's lines: the verdict, the head, then every finding."""
    lines = [f"Rantai bukti: {chain_summary(report)}"]
    lines.append(f"Ukuran: {report.size}, kepala: {report.head or '-'}")
    if len(report.findings) > 1:
        lines.append("Temuan:")
        lines.extend(f"  - {chain_finding(finding)}" for finding in report.findings)
    return lines


AUDIT_ANNEX_CAPTION = "Lampiran CSV laporan audit (SHA-256-nya tercetak di laporan)"


def audit_caption(number: str, month: str, size: int) -> str:
    return f"Laporan audit {month}, nomor {number} (rantai bukti {size} entri)"


CHAIN_ALARM_WORDS = {
    "fork": "rantai bercabang (entri lama diganti)",
    "gap": "entri dilompati",
    "shorter": "rantai lebih pendek dari yang sudah disaksikan",
    "bad_signature": "checkpoint tidak ditandatangani kunci kantor yang terdaftar",
}


def chain_alarm_line(office_id: str, reason: str, seq: int | None, when: str) -> str:
    where = f" di entri #{seq}" if seq is not None else ""
    return (
        f"🚨 Rantai bukti kantor {office_id}: {CHAIN_ALARM_WORDS.get(reason, reason)}{where} "
        f"({when})"
    )


def fingerprint_line(size: int, head16: str) -> str:
    return f"Sidik rantai: <code>{size}/{head16}</code> (cocokkan dengan laporan dan pusat)"
