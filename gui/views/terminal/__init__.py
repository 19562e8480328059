"""The terminal in a container: its widget, keys and window."""
