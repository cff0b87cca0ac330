"""Standalone reproductions for upstream: one script per failing cell class, no harness inside."""
