"""The web console (``reportgen console``): partners send returns, comms approve drafts,
support runs the month, board members read the library. On top of everything else: it
calls the same library functions as the CLI. See docs/console.md."""
