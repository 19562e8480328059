"""Building images: the Builds page with its history, and the build dialog with the live log and its table of build
arguments (secret values shown as dots)."""
