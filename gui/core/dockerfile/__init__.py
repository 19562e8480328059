"""Dockerfiles: the forgiving parser, lint (Portside's rules and hadolint), plain-words explanations, the
wizard's recipes and project scan, and recovery copies of unsaved edits."""
