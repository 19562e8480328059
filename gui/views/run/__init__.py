"""The Run dialog: `docker run` as a form, its tabs and table editors, checked as the user types."""
