"""The only place threads live: short core calls on daemon threads (tasks), cancellable streams, the Logs
window's follower that resumes after the engine comes back (log_follower), builds, the engine session and the
Monitor service. Results reach the GUI thread as signals; nothing here is waited for on the GUI thread."""
