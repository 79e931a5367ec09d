"""Reporting the office's backup evidence to the central database (OFFICE_ID set)."""
