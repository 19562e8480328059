"""Writing Dockerfiles: the wizard and its pages, the editor with highlighting, explanations and live lint."""
