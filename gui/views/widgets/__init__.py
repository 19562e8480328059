"""Widgets every page uses: the code editor and its find bar, charts, the log view, table delegates and columns
that fit their text, list pages, the inspect window, opening a link in the browser (or saying why not),
colours, the way views tell the user things (feedback) and guards for late worker answers (lifetime)."""
