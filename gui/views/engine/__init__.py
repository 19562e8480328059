"""The Engine page: what is wrong with the engine and exactly what to do, or what the connected engine offers."""
