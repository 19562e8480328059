"""Compose projects: the containers `docker compose` made, grouped by their `com.docker.compose.project` label
(`projects`), and what the user can do to a whole project, each with its `docker compose -p P …` twin (`actions`):
stop, start and down through the engine's API, up through the compose CLI with the project's own files."""
