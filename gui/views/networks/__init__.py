"""The Networks page: the engine's networks, which containers are on each, new, remove, connect, disconnect and
inspect."""
