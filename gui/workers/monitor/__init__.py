"""The Monitor service and the stats streams it reads: one thread for a local engine, a thread per stream
for remote ones."""
