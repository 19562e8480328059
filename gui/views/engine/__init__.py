"""The Engine page: what is wrong with the engine and exactly what to do, or what the connected engine offers; the
engine switcher at the top of the sidebar and the Add engine dialog (a docker context the docker CLI sees too)."""
