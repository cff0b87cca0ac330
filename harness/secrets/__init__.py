"""Credentials: the formats each provider's keys take, finding them in files, planting fakes."""
