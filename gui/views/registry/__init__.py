"""Registries: the Registries page, sign-in, tag, and the pull and push dialogs with their shared progress view."""
