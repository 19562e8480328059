"""The Settings page (Ctrl+,): which engine Portside talks to, its appearance, what new containers get by default
(bind address, restart policy, GPUs) and the folders where Portside keeps its files, each change saved at once."""
