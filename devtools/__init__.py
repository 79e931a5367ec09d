"""Development tools kept apart from the product's packages: a loopback Bot API server (tests,
the demo, benchmarks) and the generator of the invented SIAK-like sample database."""
