"""Monitoring: the Monitor page (host, GPUs, busiest containers) and one container's usage charts."""
