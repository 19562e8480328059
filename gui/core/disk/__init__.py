"""Disk space: what the engine's data takes, read from `docker system df -v`'s answer (usage: images, containers,
local volumes and build cache, each with its size, what could be freed and its items biggest first), the clean-up
plans that say exactly what would go and how much space comes back, and the actions that carry a plan out
(cleanup: only the planned items, each by its id, and what was freed)."""
