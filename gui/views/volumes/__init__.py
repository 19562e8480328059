"""The Volumes page: the engine's volumes (where models and datasets live), who uses each, new, remove, remove
unused and inspect."""
