"""Unit tests of gui.core.compose."""
