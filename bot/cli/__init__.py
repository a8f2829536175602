"""The ``memebot`` command line: one module per command group, wired in :mod:`bot.cli.main`."""
