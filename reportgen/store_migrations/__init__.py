"""Alembic migrations of the observation store (and of the run ledger's tables beside it).

Run programmatically by :mod:`reportgen.migrations` (``reportgen db upgrade``); no alembic.ini.
"""
