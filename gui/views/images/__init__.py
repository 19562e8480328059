"""The Images page: what the engine has stored, with pull, tag, push, run, remove and inspect."""
