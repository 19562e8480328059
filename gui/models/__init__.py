"""Qt table models over plain rows from core, updated by key."""
