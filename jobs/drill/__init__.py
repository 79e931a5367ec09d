"""The restore drill: prove that the copy on the external disk restores."""
