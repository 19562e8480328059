"""Widgets every page uses: the code editor, charts, the log view, table delegates, list pages, the inspect
window, colours and the way views tell the user things."""
