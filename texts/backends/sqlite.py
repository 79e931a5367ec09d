"""The `sqlite` backend: its drill restores the copy in full and reads every row, no levels."""

from texts.backends import BackendWords

WORDS = BackendWords()
