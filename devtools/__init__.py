"""Development tools, not part of the installed product: a loopback Bot API server (tests,
benchmarks) and the demo that plays one SOP day against it (`python3 dev.py demo`)."""
