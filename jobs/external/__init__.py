"""The verified copy to the external hard disk (SOP step 11), the list of backups on it, and
retention."""
