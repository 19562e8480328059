"""Image builds: what the user asks for (spec), what the engine says while it builds (progress), build errors in
plain words (failures), the history of builds kept between sessions (history), and the step container a build cut
off by the engine's crash left behind (leftovers)."""
