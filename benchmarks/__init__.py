"""Benchmarks: `wasmaot bench` (engines side by side) and the frontend throughput script.

Speed targets live here as reported ratios, never in timed unit tests."""
