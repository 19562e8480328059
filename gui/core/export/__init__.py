"""Exporting a run to other tools: a container (or a selection of them) written as a `compose.yaml` or as
Kubernetes manifests, and read back again so the app can show that the file keeps the run's settings. `common`
holds what every format shares (the `Exported` result, `differences` between a spec and its read-back copy),
`compose` the Docker Compose file, `kubernetes` the Deployment and Service. Secret values are never written:
they become references the user fills in beside the file. No Qt, no engine."""
