"""Image builds: what the user asks for (BuildSpec), what the engine says while it builds (progress), and the
history of builds kept between sessions."""
