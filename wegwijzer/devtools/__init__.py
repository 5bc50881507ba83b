"""Developer tooling used only by the command line: the demo directory and synthetic data."""
