"""Registries: addresses, sign-ins and where their secrets are kept (credential helpers, keyring, session),
the docker CLI's config.json, pull and push progress, refusals in plain words, tag suggestions."""
