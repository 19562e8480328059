"""A container's files, and a volume's: listing a folder (one `docker exec` of a POSIX sh script in a running
container, or a walk through the engine's archive API, reading tar headers only, for a stopped one or one without
sh and stat: `listing`), copying files and folders out and in as tar streams that never hold a whole file in memory
(`transfer`, with their `docker cp` twins), the helper container that opens a volume's files to the archive API
(`volume_helper`), the plain data the window shows (`entries`), the engine's stream read as a file and progress
thinned out (`chunks`), refusals in plain words (`refusals`) and the one object the window talks to (`backend`:
ContainerFiles, VolumeFiles)."""
