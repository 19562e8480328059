"""Install tests: Portside built and installed the ways a user gets it (a wheel in a fresh venv, the PyInstaller
bundle), then run from a folder that is not the repository. Slow (minutes): marked `install`."""
