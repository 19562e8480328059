"""Portside: manage AI containers on a workstation, and learn Docker while you click."""
