"""A loopback Telegram Bot API server for the tests, the demo and the benchmarks."""
