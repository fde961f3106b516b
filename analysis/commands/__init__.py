"""CLI commands of ``python -m analysis``: one module per command.

Each module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.
Adding a command means adding one module here; the dispatcher discovers it.
"""
