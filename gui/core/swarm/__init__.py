"""Swarm services: a run deployed as a Docker Swarm service (replicas, published ports, limits, placement), the
services and their tasks read into plain rows, and the actions on them (create, scale, remove), each with its
`docker service …` twin. No Qt. Portside never makes or leaves a swarm itself: `docker swarm init` is the user's."""
