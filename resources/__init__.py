"""Portside's own files, installed as the package gui.resources (see pyproject.toml): the Jinja2 templates of
generated Dockerfiles (templates/) and the app icon (icons/). Code finds them with gui.core.resources.

The __init__ makes gui.resources a regular package, which importlib.resources needs in an editable install.
"""
