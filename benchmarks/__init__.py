"""Benchmarks of the harness: figures printed and written under reports/, never asserted."""
