"""A terminal's state, Qt-free: what a program in a container drew, with scrollback and the alternate screen."""
