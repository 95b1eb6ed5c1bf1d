"""Benchmark and training recipes of the results and performance pages (not part of mathnn)."""
