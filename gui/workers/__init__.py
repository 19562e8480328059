"""The only place threads live: a task pool for short core calls, cancellable streams, the engine session and the
Monitor service. Results reach the GUI thread as signals."""
