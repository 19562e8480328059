"""Swarm services: the Services page (services, the selected one's tasks with their node and state, scale, remove)
and the Deploy as service… dialog (a run as a service: replicas, publish mode, placement, limits, the twin)."""
