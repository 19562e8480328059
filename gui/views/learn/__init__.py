"""The Learn page: the guided path through the seed tutorial's chapters, each step with its command, a "Do it"
button and a check mark that comes from the engine's real state."""
