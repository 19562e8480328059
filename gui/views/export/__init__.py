"""The Export window: a run's settings (one container, or a selection) as a `compose.yaml` and, for one container,
as Kubernetes manifests (`export_window`, one `export_tab` per format). Each file is shown in the code editor with
YAML colours (`yaml_highlighter`) before it is saved, and read back after every pause in typing to say whether it
still holds the run's settings. Saving writes off the GUI thread; the Kubernetes tab lists the kubeconfig's contexts
and applies the saved file with kubectl in a worker (`kubectl_panel`). The exporters come from gui.core.export,
injected so tests can give fakes."""
