"""The Disk page: what `docker system df -v` shows (images, containers, volumes and build cache, each with its size
and what could be freed, as a table and a bar chart), the engine's free disk space, and clean-ups that show exactly
what goes and how much space comes back before anything is removed."""
