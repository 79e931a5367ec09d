"""What is drawn for a person from the office's log: the monthly CSV (`month_csv.py`), the monthly
chart (`chart.py`), the audit report's assembly (`audit.py`) and its PDF (`audit_pdf.py`).

Above the text package, below the faces: `bot/`, `sopbot/`, `web/` and `central/` may import it;
it imports `texts`, `jobs`, `storage` and `core`, and nothing below it imports it. The figures
come from below (`storage/month.py`, `jobs/audit.py`) as typed values; the words from `texts/`."""
