"""Image builds: what the user asks for (spec), what the engine says while it builds (progress), build errors in
plain words (failures), and the history of builds kept between sessions (history)."""
