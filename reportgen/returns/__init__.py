"""Partner data returns: a template to fill in, a strict ingest, and who has sent what.

- :mod:`reportgen.returns.owed`: what each partner owes for a period, and by when;
- :mod:`reportgen.returns.template`: the .xlsx a partner fills in;
- :mod:`reportgen.returns.ingest`: validate and load a returned file, all or nothing,
  archiving accepted files and quarantining rejected ones with their error report;
- :mod:`reportgen.returns.status`: received / late / missing / revised, per partner and
  indicator, for the board pack's data quality annex.
"""
