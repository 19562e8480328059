"""Learning Docker in the app: the guided steps that follow the seed tutorial (steps), which of them are done,
judged from the real state of the engine, the user's project and what a worker found out (progress, facts), and
what is kept between sessions (store). No Qt."""
