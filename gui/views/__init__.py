"""Widgets, pages and dialogs, one folder per feature, shared widgets in widgets/. Views display and take input;
they never call Docker."""
