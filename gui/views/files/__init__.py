"""The Files window: browse one container's or one volume's folders (`files_window`, its table with drops from the
desktop in `files_table`), download files and folders to the host and upload into the container with progress and
Cancel (`transfer_bar`), each copy shown as its `docker cp` twin. The window talks only to a gui.core.files backend,
through FileJobs that run off the GUI thread."""
