"""The scheduled service: schedules.toml, the reporting calendar, the run ledger and
``reportgen serve``. Documents are produced only through :mod:`reportgen.schedule.jobs`."""
