"""Cassettes: layout, serialization, record/replay configuration and stream statistics."""
