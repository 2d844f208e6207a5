"""Benchmarks: `make bench` (python -m bench) writes bench/results.md and bench/ingest.png."""
