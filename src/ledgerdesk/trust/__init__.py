"""Trust: the official-channel registry, look-alike detection and the public verification page."""
