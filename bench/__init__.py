"""Benchmarks for the targets of DESIGN.md section 8; run with ``make bench``."""
