"""The Containers page and each container's logs window."""
