"""The daily database dump (SOP step 8): backends behind one interface, and the service that
names, runs, checks and records each dump."""
