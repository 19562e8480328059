"""The engine: finding it as the docker CLI does (connection), the one client that talks to it (client), its
states and what to tell the user about each (help, doctor), container and image actions with their CLI twins
(actions), exit codes in plain words (exit_codes), where a log left off and why it ended (log_resume), the build request (build_request), list rows, inspect
summaries, reading its HTTP streams and log bytes (local_json: lean GETs on a local socket), and `docker exec -it`
sessions (exec_terminal)."""
