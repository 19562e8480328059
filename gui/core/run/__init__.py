"""Running a container: the RunSpec and its checks (Docker's own rules), what the engine and host offer (context,
ports, GPUs), .env files, a spec read back from inspect, and the Run dialog's memory and presets."""
