"""The command line. Thin: it parses options, calls the library, and turns
:class:`ReportgenError` into one line on stderr and a non-zero exit code.

Heavy libraries (pandas, WeasyPrint, matplotlib) are imported inside commands so that
``reportgen --help`` starts quickly.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reportgen import __version__
from reportgen.errors import ReportgenError
from reportgen.logsetup import FORMATS, redact

if TYPE_CHECKING:  # the modules themselves are imported inside the commands that use them
    from reportgen.config.models import Partner, SourceSpec
    from reportgen.console.db import ConsoleDb
    from reportgen.periods import Period
    from reportgen.schedule.config import Job, Schedules
    from reportgen.schedule.ledger import Run
    from reportgen.schedule.runner import Runner

CONFIG_HELP = "Partnership config folder (default: data_sources/)."
STORE_HELP = (
    "Observation store, a SQLAlchemy URL (default: $REPORTGEN_STORE or sqlite:///var/reportgen.sqlite)."
)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Expected errors become one clear line on stderr and the error's exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ReportgenError as exc:
            click.echo(f"Error: {redact(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            # one line, and the shell's convention for "stopped by Ctrl-C" (128 + SIGINT)
            click.echo("Interrupted: nothing half-written was kept.", err=True)
            sys.exit(130)

    return wrapper


def parse_instant(text: str | None, option: str, *, whole_day: bool = False) -> Any:
    """An ISO date or date-time from the command line, in UTC unless it says otherwise.

    With ``whole_day`` a bare date means the end of that day ("received by 25 April" includes
    what arrived that afternoon); otherwise its start.
    """
    import datetime as dt

    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO date or date-time (e.g. 2005-04-25 or "
                                 "2005-04-25T17:00)", param_hint=option) from None
    if whole_day and len(text.strip()) == 10:
        when += dt.timedelta(days=1, microseconds=-1)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--config",
        "config_dir",
        type=click.Path(path_type=Path),
        default=Path("data_sources"),
        show_default=True,
        help=CONFIG_HELP,
    )(func)


def store_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--store", "store_url", default=None, help=STORE_HELP)(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reportgen")
@click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.option(
    "--log-format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Log lines as text, or one JSON object per event (for a log collector).",
)
def cli(verbose: int, quiet: bool, log_format: str) -> None:
    """reportgen: performance reports for a Community Safety Partnership.

    Pulls partners' data into a store, evaluates every indicator against its targets,
    and renders the monthly board pack, the quarterly public leaflet and the annual
    strategy review as PDF and Word, plus a monthly web page.

    \b
    Example (the bundled demo partnership):
      reportgen pull
      reportgen evaluate --period 2004/05
      reportgen run all --period 2005-03
    """
    from reportgen.logsetup import configure

    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    configure(level, log_format)


@cli.command()
def info() -> None:
    """Print versions of reportgen and the libraries it renders with (for bug reports)."""
    import importlib.metadata as md

    click.echo(f"reportgen {__version__}")
    click.echo(f"python {sys.version.split()[0]}")
    for name in ("pandas", "numpy", "matplotlib", "weasyprint", "python-docx", "sqlalchemy", "apscheduler"):
        try:
            click.echo(f"{name} {md.version(name)}")
        except md.PackageNotFoundError:
            click.echo(f"{name} (not installed)")
    try:
        import weasyprint.text.ffi as ffi

        version = ffi.pango.pango_version()  # encoded as major*10000 + minor*100 + micro
        click.echo(f"pango {version // 10000}.{version // 100 % 100}.{version % 100}")
    except (ImportError, OSError, AttributeError) as exc:
        click.echo(f"pango (unavailable: {exc})")


@cli.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--police", "police", type=click.Path(exists=True, path_type=Path), required=True,
              help="Folder of data.police.uk street files (.csv or .csv.gz; month subfolders too).")
@click.option("--population", "population", type=click.Path(exists=True, path_type=Path), required=True,
              help="Census 2021 LSOA population file (ONS TS001: geography code and total columns).")
@click.option("--area", default=None, help="Local authority name (or LSOA-name prefix), e.g. Hartlepool.")
@click.option("--lsoas", default=None, help="The partnership's LSOA codes: comma-separated, or a file listing them.")
@click.option("--neighbourhoods", "lookup", type=click.Path(exists=True, path_type=Path), default=None,
              help="CSV of LSOA code -> neighbourhood (default: the MSOA in each LSOA name).")
@click.option("--name", default=None, help="Partnership name (default: '<area> Community Safety Partnership').")
@click.option("--priority", "priority_count", type=click.IntRange(min=0), default=2, show_default=True,
              help="How many neighbourhoods (highest crime rate) to mark as priority to start with.")
@click.option("--force", is_flag=True, help="Write into FOLDER even if it is not empty (overwrites init's files).")
@handle_errors
def init_cmd(folder: Path, police: Path, population: Path, area: str | None, lsoas: str | None,
             lookup: Path | None, name: str | None, priority_count: int, force: bool) -> None:
    """Start a partnership folder from police.uk files and Census 2021 populations.

    Writes partnership.toml (neighbourhoods and populations), partners/police.toml (every
    crime type found mapped to an indicator), derived.toml and a starter strategy, every key
    commented; then lists what it decided and every LSOA code it could not match.

    \b
    Example:
      reportgen init hartlepool --police police-uk/ --area Hartlepool \\
          --population census2021-ts001-lsoa.csv
      reportgen pull --config hartlepool --store sqlite:///var/hartlepool.sqlite
      reportgen run all --config hartlepool --store sqlite:///var/hartlepool.sqlite --period 2023-03
    """
    from rich.console import Console
    from rich.progress import Progress

    from reportgen.scaffold import init_partnership

    err = Console(stderr=True)
    with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("Reading police.uk files", total=None)

        def progress(done: int, total: int, file_name: str) -> None:
            bar.update(task, completed=done, total=total, description=file_name or "police.uk files")

        result = init_partnership(folder, police=police, population=population, area=area, lsoas=lsoas,
                                  neighbourhoods=lookup, name=name, priority_count=priority_count, force=force,
                                  progress=progress)
    plan = result.plan
    for path in result.files:
        click.echo(f"wrote {path}")
    for note in plan.notes:
        click.echo(f"- {note}")
    click.echo(f"- {len(plan.neighbourhoods)} neighbourhoods, population {plan.borough_population:,}; "
               f"{len(plan.indicators)} crime types mapped to indicators.")
    if plan.rows_outside:
        where = ", ".join(f"{la} {n:,}" for la, n in plan.rows_outside.items())
        click.echo(f"- Rows outside {plan.area_name}, expected and not counted: {where}.")
    if plan.police.no_lsoa_rows:
        click.echo(f"- {plan.police.no_lsoa_rows:,} rows have no LSOA code (police.uk had no location): "
                   "no partnership can count them.")
    for warning in plan.warnings:
        click.echo(f"Warning: {warning}", err=True)
    store = f"sqlite:///{folder / 'var' / 'reportgen.sqlite'}"
    click.echo("Next:")
    click.echo(f"  reportgen pull --config {folder} --store {store}")
    click.echo(f"  reportgen run all --config {folder} --store {store} --period {plan.report_period.key} "
               f"--out {folder / 'outputs'}")


@cli.command()
@config_option
@store_option
@click.option("--partner", "partners", multiple=True, help="Only this partner (repeatable).")
@handle_errors
def pull(config_dir: Path, store_url: str | None, partners: tuple[str, ...]) -> None:
    """Load every configured source into the observation store.

    Each source loads in one transaction: a file with any bad row is rejected whole, with
    the file, row, column and reason on stderr. Prints a summary per partner, then per
    source the rows read, loaded and dropped by reason. Rows dropped for a reason the config
    does not declare (ignore_crime_types, ignore_unmatched_lsoas) reject the source (exit 3).

    \b
    Example:
      reportgen pull --config data_sources
    """
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from reportgen.config import load_config
    from reportgen.pull import configured_sources, describe
    from reportgen.pull import pull as do_pull
    from reportgen.sources import check_sources
    from reportgen.store import Store

    config = load_config(config_dir)
    check_sources(config)  # a mistyped source type stops here, before the store is opened
    store = Store(store_url, partnership=config.partnership.id)
    total = sum(1 for p, _ in configured_sources(config) if not partners or p.id in partners)
    err = Console(stderr=True)
    with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("Pulling sources", total=total)
        files = progress.add_task("Reading files", total=None, visible=False)

        def tick(partner: Partner, spec: SourceSpec) -> None:
            progress.update(task, advance=1, description=f"{partner.id}/{spec.id}")
            progress.update(files, visible=False)

        def file_tick(done: int, n_files: int, name: str) -> None:
            progress.update(files, completed=done, total=n_files, description=name or "files", visible=True)

        result = do_pull(config, store, partners=list(partners) or None, on_source=tick, on_file=file_tick)
    summaries, failures = result.summaries, result.failures
    store.dispose()
    by_partner: dict[str, list[int]] = {}
    for s in summaries:
        row = by_partner.setdefault(s.partner, [0, 0, 0, 0])
        for n, value in enumerate((s.new, s.revised, s.unchanged, s.rejected)):
            row[n] += value
    table = Table(title=f"Pulled into {redact(store.url)}")
    for col in ("partner", "new", "revised", "unchanged", "sources rejected"):
        table.add_column(col, justify="left" if col == "partner" else "right")
    for partner_id, row in by_partner.items():
        table.add_row(partner_id, *(f"{v:,}" for v in row))
    Console().print(table)
    for pulled in result.sources:
        for line in describe(pulled):
            click.echo(line)
    for f in failures:
        click.echo(f"Error: {f.partner}/{f.source}: {f.error}", err=True)
    if failures:
        sys.exit(max(f.error.exit_code for f in failures))


@cli.group()
def db() -> None:
    """The store's database schema: where it stands, and upgrading it in place (Alembic).

    A new store is created at the newest schema by `reportgen pull`, `returns ingest` or
    `serve`. A store made by an older reportgen is never changed behind your back: every other
    command refuses it and names `reportgen db upgrade`, which you run once, after a backup.
    """


@db.command("upgrade")
@config_option
@store_option
@click.option(
    "--partnership",
    "partnership_id",
    default=None,
    help="Partnership id for rows from before partnerships (default: the --config folder's partnership.id).",
)
@handle_errors
def db_upgrade(config_dir: Path, store_url: str | None, partnership_id: str | None) -> None:
    """Create the store, or upgrade it in place to the newest schema; data are kept.

    Rows from before stores held several partnerships are given the partnership of --config
    (or --partnership).

    \b
    Example:
      reportgen db upgrade --store sqlite:///var/reportgen.sqlite --config data_sources
      reportgen db upgrade --store postgresql+psycopg://reportgen@db.example.org/reportgen
    """
    from reportgen.config.loader import load_partnership
    from reportgen.migrations import state, upgrade
    from reportgen.store import default_url, redact, sqlite_path

    url = store_url or default_url()
    partnership = partnership_id or load_partnership(config_dir).id
    path = sqlite_path(url)
    before = state(url).revision if path is None or path.is_file() else None
    after = upgrade(url, partnership=partnership)
    if before == after.revision:
        click.echo(f"{redact(url)}: already at {after.revision}")
    else:
        click.echo(f"{redact(url)}: upgraded from {before or 'no schema revision'} to {after.revision}")
    click.echo(f"partnerships: {', '.join(after.partnerships) or '(none yet)'}")


@db.command("current")
@store_option
@handle_errors
def db_current(store_url: str | None) -> None:
    """Show the store's schema revision, the newest one, and the partnerships it holds.

    \b
    Example:
      reportgen db current --store postgresql+psycopg://reportgen@db.example.org/reportgen
    """
    from reportgen.migrations import state
    from reportgen.store import default_url, redact

    now = state(store_url or default_url())
    verdict = "up to date" if now.current else "needs `reportgen db upgrade`"
    click.echo(f"{redact(now.url)}: revision {now.revision or '(none)'}, newest {now.head}: {verdict}")
    click.echo(f"partnerships: {', '.join(now.partnerships) or '(none yet)'}")


@cli.group()
def translations() -> None:
    """Manage the translation catalogs of public documents (gettext, via Babel).

    \b
    Workflow after changing any public wording:
      reportgen translations extract    # collect messages into reportgen/locale/reportgen.pot
      reportgen translations update     # merge them into every language's .po
      (a translator edits reportgen/locale/<lang>/LC_MESSAGES/reportgen.po)
      reportgen translations compile    # optional: write .mo files
    """


@translations.command("extract")
@handle_errors
def translations_extract() -> None:
    """Collect every translatable message into reportgen/locale/reportgen.pot."""
    from reportgen.translations import POT, extract

    catalog = extract()
    click.echo(f"{len(catalog)} messages in {POT}")


@translations.command("update")
@handle_errors
def translations_update() -> None:
    """Merge the .pot into each language's catalog and list what is still untranslated."""
    from reportgen.translations import untranslated, update

    for po in update():
        code = po.parent.parent.name
        missing = untranslated(code)
        click.echo(f"{code}: {po} ({len(missing)} untranslated)")


@translations.command("init")
@click.argument("lang")
@handle_errors
def translations_init(lang: str) -> None:
    """Start a catalog for a new language, e.g. 'reportgen translations init bn'."""
    from reportgen.translations import init

    click.echo(f"created {init(lang)} (a draft until a qualified translator reviews it)")


@translations.command("compile")
@handle_errors
def translations_compile() -> None:
    """Write .mo files beside the catalogs (they are also read directly from .po)."""
    from reportgen.translations import compile_all

    for mo in compile_all():
        click.echo(f"wrote {mo}")
@cli.command()
@click.option(
    "--period", "period_text", required=True, help="Month 2005-03, quarter 2005-Q1 or year 2004/05."
)
@config_option
@store_option
@click.option("--area", default=None, help="Area id, or 'all' for every area (default: the borough).")
@click.option("--strategy", "strategy_id", default=None, help="Only this strategy's targets.")
@click.option("--as-at", "as_at_text", default=None, help="Use the data as known at this ISO time.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="A table to read, the JSON records, or the indicator rows as CSV.",
)
@handle_errors
def evaluate(
    period_text: str,
    config_dir: Path,
    store_url: str | None,
    area: str | None,
    strategy_id: str | None,
    as_at_text: str | None,
    fmt: str,
) -> None:
    """Evaluate every indicator and big target for a period.

    Values, changes on the baseline and on last year, trajectory, RAG status, direction of
    travel and SPC signals for each indicator, and each big target's status with reasons.

    \b
    Example:
      reportgen evaluate --period 2004/05
      reportgen evaluate --period 2005-03 --area all --format csv > march.csv
    """

    from reportgen.config import load_config
    from reportgen.evaluate.engine import evaluate_store
    from reportgen.periods import Period
    from reportgen.store import Store

    period = Period.parse(period_text)
    as_at = parse_instant(as_at_text, "--as-at")
    config = load_config(config_dir)
    if strategy_id:
        config.strategy(strategy_id)  # unknown id: a clear error naming the known ones
    areas = None if area == "all" else [area or config.partnership.borough.id]
    store = Store(store_url, partnership=config.partnership.id, create=False)
    try:
        result = evaluate_store(config, store, period, as_at=as_at, areas=areas)
    finally:
        store.dispose()
    indicators, targets = result.indicators, result.targets
    if strategy_id:
        indicators = indicators[indicators["strategy"] == strategy_id]
        targets = targets[targets["strategy"] == strategy_id]
    if fmt == "json":
        import json

        records = [r for r in result.records() if _keep_record(r, strategy_id)]
        click.echo(json.dumps(records, indent=2, allow_nan=False))
    elif fmt == "csv":
        from reportgen.csvsafe import to_safe_csv

        click.echo(to_safe_csv(indicators), nl=False)
    else:
        from rich.console import Console

        from reportgen.evaluate.table import evaluation_tables

        # piped output would be squeezed to 80 columns; a file or pager can take a wide table
        console = Console() if sys.stdout.isatty() else Console(width=160)
        for table in evaluation_tables(result, indicators, targets):
            console.print(table)


def _keep_record(record: dict[str, Any], strategy_id: str | None) -> bool:
    return not strategy_id or record.get("strategy") == strategy_id


RUN_CHOICES = ("board-pack", "leaflet", "annual-review", "web", "all")


@cli.command()
@click.argument("report", metavar=f"{{{'|'.join(RUN_CHOICES)}}} | JOB")
@click.option("--period", "period_text", required=True,
              help="Month (2005-03), quarter (2005-Q1) or financial year (2004/05).")
@config_option
@store_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("outputs"), show_default=True,
              help="Output folder; files go to <out>/<report>/<period>/.")
@click.option("--format", "formats", multiple=True, type=click.Choice(("pdf", "docx", "html")),
              help="Only these formats (repeatable; default: the report's own).")
@click.option("--version", "version", type=click.IntRange(min=2), default=None,
              help="Re-issue number, added to file names (-v2) after late data.")
@click.option("--large-print", is_flag=True, help="Leaflet: large-print variant.")
@click.option("--area", default=None, help="Leaflet: one neighbourhood or township (area id or name).")
@click.option("--each-area", is_flag=True, help="Leaflet: one leaflet per neighbourhood, all in one run.")
@click.option("--poster", is_flag=True, help="Leaflet: one-page poster for libraries and clinics.")
@click.option("--paper", type=click.Choice(["A3", "A4"], case_sensitive=False), default=None,
              help="With --poster: paper size (default A3, for a wall).")
@click.option("--lang", default=None, help="Leaflet: language code of a translated version.")
@click.option("--alt-formats", "alt_formats", is_flag=True,
              help="Leaflet: also Braille (.brf), audio (.mp3), plain text and easy read, beside the PDFs.")
@click.option("--deliver", is_flag=True,
              help="Run the report's jobs from schedules.toml and deliver as they say; recorded in history.")
@click.option("--force", is_flag=True, help="Render every document, even those whose inputs match the files "
              "already in the folder. With --deliver: a new version even if this period was done.")
@click.option("--partnerships", "partnerships", default=None, metavar="all|ID,...",
              help="Run REPORT for these partnerships of the deployment (--deployment), all through one executor.")
@click.option("--deployment", "deployment", type=click.Path(path_type=Path), default=Path("partnerships"),
              show_default=True, envvar="REPORTGEN_DEPLOYMENT",
              help="With --partnerships: the folder of partnership folders (each with its partnership.toml).")
@click.option("--schedules", "schedules_path", type=click.Path(path_type=Path), default=Path("schedules.toml"),
              show_default=True, help="With --deliver: the schedules file naming the deliveries.")
@click.option("--executor", "executor_url", default=None, envvar="REPORTGEN_EXECUTOR",
              help="Where render jobs run: local (default), local://N, or dask://HOST:PORT.")
@click.option("--as-at", "as_at_text", default=None,
              help="Use the data as the store knew it at this ISO time (re-make a past pack).")
@click.option("--received-by", "received_by_text", default=None,
              help="Only what partners had sent by this ISO date or time (replay a reporting day).")
@handle_errors
def run(
    report: str,
    period_text: str,
    config_dir: Path,
    store_url: str | None,
    out_dir: Path,
    formats: tuple[str, ...],
    version: int | None,
    large_print: bool,
    area: str | None,
    each_area: bool,
    poster: bool,
    paper: str | None,
    lang: str | None,
    alt_formats: bool,
    deliver: bool,
    force: bool,
    partnerships: str | None,
    deployment: Path,
    schedules_path: Path,
    executor_url: str | None,
    as_at_text: str | None,
    received_by_text: str | None,
) -> None:
    """Render a report for a period to PDF and Word (the web page to HTML).

    Evaluates the store once, draws each chart once, and writes
    <out>/<report>/<period>/ with the files and a manifest.json, atomically.
    "all" renders everything due when the period closes: for 2005-03 the
    board pack and web page, the Q1 2005 leaflet and the 2004/05 annual review.
    Prints the path of each file written; progress goes to stderr.

    \b
    Examples:
      reportgen run board-pack --period 2005-03
      reportgen run annual-review --period 2004/05
      reportgen run leaflet --period 2005-Q1 --large-print
      reportgen run leaflet --period 2005-Q1 --each-area
      reportgen run leaflet --period 2005-Q1 --lang pl
      reportgen run leaflet --period 2005-Q1 --alt-formats
      reportgen run all --period 2005-03 --out outputs
      reportgen run board-pack --period 2005-03 --deliver
      reportgen run leaflet --period 2005-Q1 --each-area --executor dask://10.0.0.5:8786
      reportgen run board-pack --period 2005-03 --received-by 2005-04-12
      reportgen run board-pack --period 2005-03 --partnerships all --deployment /srv/reportgen/partnerships

    With --deliver, REPORT may also be a job id from schedules.toml (one variant's job), and
    every job in schedules.toml producing REPORT runs for the period and
    delivers as configured, recorded in the same history as scheduled runs, so neither the
    scheduler nor a second manual run produces that period again (unless --force).

    A document whose inputs (data, config, code and library versions) match those of the
    file already in the folder is left untouched; when nothing changed, nothing is even
    evaluated. --force renders everything again. ("run all" always renders.)

    With --partnerships, REPORT is made for each partnership named (or all) in the
    deployment folder, into <out>/<partnership>/<report>/<period>/, with one progress bar
    and a summary per partnership (written, unchanged, failed and why); a partnership
    that fails does not stop the others, and the exit code is 1 if any failed.
    """
    from reportgen.periods import Period

    if report not in RUN_CHOICES and not deliver:
        raise click.UsageError(
            f"{report!r} is not a report ({', '.join(RUN_CHOICES)}); a job id from schedules.toml needs --deliver."
        )
    period = Period.parse(period_text)
    as_at = parse_instant(as_at_text, "--as-at")
    received_by = parse_instant(received_by_text, "--received-by", whole_day=True)
    if deliver:
        if (partnerships is not None or report == "all" or large_print or area or each_area or poster or lang
                or alt_formats or formats or version or as_at or received_by):
            raise click.UsageError(
                "--deliver runs the jobs in schedules.toml as configured: give one report and no "
                "variant, --format, --version, --as-at or --received-by options (use --force for a new version)."
            )
        _deliver_by_hand(report, period, schedules_path, store_url, force)
        return
    if partnerships is not None:
        if report == "all" or version or received_by or formats or alt_formats:
            raise click.UsageError("--partnerships takes one report (not all) and no --version, --format, "
                                   "--alt-formats or --received-by.")
        variant = {k: v for k, v in (("large_print", large_print), ("area", area), ("each_area", each_area),
                                     ("poster", poster), ("lang", lang)) if v}
        _run_many(report, period, deployment, partnerships, store_url, out_dir, variant, executor_url, force, as_at)
        return
    variant = {k: v for k, v in (("large_print", large_print), ("area", area), ("each_area", each_area),
                                 ("poster", poster), ("paper", paper and paper.upper()), ("lang", lang),
                                 ("alt_formats", alt_formats)) if v}
    _check_variant(report, variant, formats, version)
    executor: Any = executor_url
    if report != "all":
        # Start the render workers before pandas and the rest of the data stack load: they
        # import the renderers meanwhile. Light imports only until then.
        from reportgen.render.jobs import start_executor
        from reportgen.reports import FORMATS

        executor = start_executor(executor_url, tuple(formats) or FORMATS[report], each_area=each_area) or executor_url
    try:
        _run_reports(report, period, config_dir, store_url, out_dir, formats, version, variant, executor,
                     as_at, received_by, reuse=not force)
    finally:
        if not isinstance(executor, str | None):
            executor.close()


def _check_variant(report: str, variant: dict[str, Any], formats: tuple[str, ...], version: int | None) -> None:
    """Refuse, before anything loads, variant options that do not go together or with ``report``."""
    if variant.get("area") and variant.get("each_area"):
        raise click.UsageError("Give --area NAME or --each-area, not both.")
    if variant.get("paper") and not variant.get("poster"):
        raise click.UsageError("--paper applies to the poster only (with --poster).")
    if (variant.get("lang") or variant.get("alt_formats")) and report != "leaflet":
        raise click.UsageError("--lang and --alt-formats apply to the leaflet only.")
    if report == "all" and (set(variant) - {"paper"} or formats or version):
        raise click.UsageError("'run all' takes no variant, --format or --version options.")
    if variant.get("lang"):
        from reportgen.i18n import language

        language(variant["lang"])  # an unknown language fails here, naming the ones there are


def _run_reports(report: str, period: Any, config_dir: Path, store_url: str | None, out_dir: Path,
                 formats: tuple[str, ...], version: int | None, variant: dict[str, Any], executor: Any,
                 as_at: Any, received_by: Any, *, reuse: bool = True) -> None:
    """The body of ``run`` once its options are checked: render, then list what was written.
    ``reuse``: leave alone the documents whose inputs match the files already there."""
    from reportgen.pipeline import generate, generate_all

    def progress(name: str, p: Any) -> None:
        click.echo(f"Rendering {name} for {p.label} ...", err=True)

    if report == "all":
        results, skipped = generate_all(period, config_dir=config_dir, store_url=store_url, out_dir=out_dir,
                                        on_report=progress, executor=executor, as_at=as_at,
                                        received_by=received_by)
        for name in skipped:
            click.echo(f"Skipped {name}: its builder is not installed in this build.", err=True)
    elif variant.get("each_area"):
        results = [_generate_with_progress(report, period, config_dir=config_dir, store_url=store_url,
                                           out_dir=out_dir, variant=variant, version=version,
                                           formats=formats or None, executor=executor, as_at=as_at,
                                           received_by=received_by, reuse=reuse)]
    else:
        progress(report, period)
        results = [generate(report, period, config_dir=config_dir, store_url=store_url, out_dir=out_dir,
                            variant=variant, version=version, formats=formats or None,
                            executor=executor, as_at=as_at, received_by=received_by, reuse=reuse)]
    for result in results:
        kept = getattr(result, "unchanged", [])
        if kept and not getattr(result, "rendered", []):
            click.echo(f"{result.report} {result.period}: unchanged: its inputs match the {len(result.files)} "
                       f"files already there (--force renders them again)", err=True)
        else:
            note = f" ({len(kept)} documents unchanged, their files kept)" if kept else ""
            click.echo(f"{result.report} {result.period}: {len(result.files)} files in {result.seconds:.1f}s{note}",
                       err=True)
        for line in result.exceptions:
            click.echo(f"  exception: {line}", err=True)
        for line in result.unavailable:
            click.echo(f"  unavailable: {line}", err=True)
        for line in result.glitches:
            click.echo(f"  glitch: {line}", err=True)
        for path in result.files:
            click.echo(str(path))
    glitched = [r for r in results if r.glitches]
    if glitched:
        from reportgen.glitch_gate import GlitchError

        # The files stay where they were written (listed above), for the officer to look at.
        raise GlitchError([line for r in glitched for line in r.glitches], str(glitched[0].manifest.parent),
                          every=False)


def _run_many(report: str, period: Any, deployment: Path, partnerships: str, store_url: str | None, out_dir: Path,
              variant: dict[str, Any], executor_url: str | None, force: bool, as_at: Any) -> None:
    """``run --partnerships``: one progress bar over every document, then a line per partnership."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from reportgen.deployment import select
    from reportgen.pipeline import check_period, generate_many

    check_period(report, period)  # a wrong period or an unknown partnership: an error before the bar appears
    select(deployment, partnerships)
    err = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(f"{report} {period.label}", total=None)

        def advance(done: int, total: int, label: str) -> None:
            bar.update(task, total=total, completed=done, description=label)

        result = generate_many(report, period, deployment=deployment, partnerships=partnerships,
                               store_url=store_url, out_dir=out_dir, variant=variant, executor=executor_url,
                               force=force, as_at=as_at, on_document=advance)
        bar.update(task, description=f"{report} {period.label}")
    for outcome in result.outcomes:
        if outcome.status == "failed":
            click.echo(f"{outcome.partnership}: failed: {outcome.error}", err=True)
        else:
            click.echo(f"{outcome.partnership}: {len(outcome.written)} written, {len(outcome.unchanged)} unchanged "
                       f"in {outcome.seconds:.1f}s", err=True)
        for path in outcome.files:
            click.echo(str(path))
    counts = {s: sum(o.status == s for o in result.outcomes) for s in ("written", "unchanged", "failed")}
    click.echo(f"{len(result.outcomes)} partnerships ({counts['written']} written, {counts['unchanged']} unchanged, "
               f"{counts['failed']} failed), {result.documents()} documents in {result.seconds:.1f}s "
               f"on {result.executor}", err=True)
    if result.failed:
        sys.exit(1)


def _generate_with_progress(report: str, period: Any, **kwargs: Any) -> Any:
    """One run that renders many documents (a leaflet per neighbourhood): a progress bar on
    stderr while it renders, then a one-screen summary table of what each document says."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from reportgen.pipeline import generate

    err = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(f"Evaluating {period.label}", total=None)

        def advance(done: int, total: int, stem: str) -> None:
            bar.update(task, total=total, completed=done, description=f"Rendered {stem}")

        result = generate(report, period, on_document=advance, **kwargs)
        bar.update(task, description=f"Rendered {report} for {period.label}")
    table = Table(title=f"{report} {period.label}: {len(result.files)} files in {result.seconds:.1f}s")
    table.add_column("Area")
    table.add_column("Summary")
    for line in result.headline:
        name, _, text = line.partition(": ")
        table.add_row(name, text)
    err.print(table)
    return result


@cli.group()
def returns() -> None:
    """Partner data returns: a workbook to fill in, a strict ingest, and who has sent what.

    \b
    Example (a month's cycle):
      reportgen returns template --partner council --period 2005-03
      reportgen returns ingest council-2005-03.xlsx
      reportgen returns status --period 2005-03
    """


@returns.command("template")
@config_option
@click.option("--partner", required=True, help="Partner id (the partners/<id>.toml file).")
@click.option("--period", "periods", multiple=True, required=True, help="Period the return covers (repeatable).")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the .xlsx (default: var/returns/templates/<partner>-<period>.xlsx).",
)
@handle_errors
def returns_template(config_dir: Path, partner: str, periods: tuple[str, ...], out: Path | None) -> None:
    """Write the .xlsx data return a partner fills in for a period.

    One row per indicator, area and period the partner owes; labels are locked, Value
    cells are checked as the partner types (numbers; no negatives for counts;
    percentages 0 to 100); the instructions sheet gives the deadline.

    \b
    Example:
      reportgen returns template --partner council --period 2005-03
      reportgen returns template --partner dat --period 2005-Q1 --out dat-q1.xlsx
    """
    from reportgen.config import load_config
    from reportgen.periods import Period
    from reportgen.returns.ingest import default_data_dir
    from reportgen.returns.safety import safe_filename
    from reportgen.returns.template import write_template

    config = load_config(config_dir)
    parsed = [Period.parse(p) for p in periods]
    if out is None:
        name = safe_filename(f"{partner}-{'_'.join(p.key for p in parsed)}.xlsx")
        out = default_data_dir() / "templates" / name
    summary = write_template(config, partner, parsed, out)
    deadline = f"{summary.deadline:%d %B %Y}" if summary.deadline else "none"
    click.echo(f"Wrote {summary.path}")
    click.echo(
        f"  {config.partner(partner).name}: {summary.rows} rows to fill in for "
        f"{', '.join(summary.periods)}; due by {deadline}"
    )


@returns.command("ingest")
@config_option
@store_option
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for archive/ and quarantine/ (default: $REPORTGEN_RETURNS_DIR or var/returns).",
)
@click.option("--partner", default=None, help="Partner the files are from (needed for CSV returns).")
@click.option("--period", "periods", multiple=True, help="Periods the files cover (CSV returns).")
@click.option("--max-rows", type=int, default=None, help="Refuse files with more rows than this.")
@handle_errors
def returns_ingest(
    config_dir: Path,
    store_url: str | None,
    files: tuple[Path, ...],
    data_dir: Path | None,
    partner: str | None,
    periods: tuple[str, ...],
    max_rows: int | None,
) -> None:
    """Validate returned files and load each one whole, or not at all.

    A file with any bad row is rejected: every problem is named by file, sheet, cell and
    value, the file is kept in quarantine/ beside its error report, and the store is not
    touched. An accepted file is archived with its SHA-256. Sending the same file again
    changes nothing; a corrected file replaces the figures it changes (kept as revisions).

    \b
    Example:
      reportgen returns ingest council-2005-03.xlsx probation-2005-03.xlsx
      reportgen returns ingest --partner dat --period 2005-03 dat-march.csv
    """
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from reportgen.config import load_config
    from reportgen.returns.ingest import MAX_ROWS, ingest_file
    from reportgen.store import Store

    config = load_config(config_dir)
    store = Store(store_url, partnership=config.partnership.id)
    results = []
    err = Console(stderr=True)
    try:
        with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("Ingesting returns", total=len(files))
            for path in files:
                progress.update(task, description=path.name[:40])
                results.append(
                    ingest_file(
                        config,
                        store,
                        path,
                        data_dir=data_dir,
                        partner=partner,
                        periods=list(periods) or None,
                        max_rows=max_rows or MAX_ROWS,
                    )
                )
                progress.advance(task)
    finally:
        store.dispose()
    table = Table(title=f"Returns ingested into {redact(store.url)}")
    for col in ("file", "partner", "result", "new", "revised", "unchanged"):
        table.add_column(col, justify="right" if col in ("new", "revised", "unchanged") else "left")
    for r in results:
        s = r.summary
        counts = (s.new, s.revised, s.unchanged) if s else ("", "", "")
        label = {"loaded": "loaded", "unchanged": "already loaded", "rejected": "REJECTED"}[r.status]
        table.add_row(r.file, r.partner or "?", label, *(f"{c:,}" if c != "" else "" for c in counts))
    Console().print(table)
    for r in results:
        if r.status == "loaded":
            click.echo(f"Archived {r.file} as {r.kept_at} (sha256 {r.checksum[:12]})")
            if r.summary and r.summary.not_available:
                click.echo(f"{r.file}: {r.summary.not_available} figure(s) marked not available, with the reason kept")
        elif r.status == "unchanged":
            click.echo(f"{r.file}: already loaded on {r.previous_load[:19]}; nothing changed")
    rejected = [r for r in results if r.status == "rejected"]
    for r in rejected:
        click.echo(f"Error: {r.error}", err=True)
        if r.kept_at is not None:
            click.echo(f"  kept in quarantine: {r.kept_at} (report: {r.kept_at}.errors.txt)", err=True)
    loaded = sum(r.status == "loaded" for r in results)
    click.echo(f"{len(results)} file(s): {loaded} loaded, {len(results) - loaded - len(rejected)} "
               f"unchanged, {len(rejected)} rejected")  # fmt: skip
    if rejected:
        sys.exit(max(r.error.exit_code for r in rejected if r.error) if rejected else 1)


@returns.command("status")
@config_option
@store_option
@click.option("--period", required=True, help="Reporting period, e.g. 2005-03.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--since", default=None, help="Time of the last report (ISO); revisions after it are flagged.")
@click.option("--returns-only", is_flag=True, help="Leave out automatic feeds (SQL, police.uk).")
@click.option(
    "--received-by", default=None, help="Replay a day (ISO): only what partners had sent by then counts."
)
@handle_errors
def returns_status(
    config_dir: Path,
    store_url: str | None,
    period: str,
    fmt: str,
    since: str | None,
    returns_only: bool,
    received_by: str | None,
) -> None:
    """Who has sent what for a period: received, late, partial or missing, and revised.

    One row per partner and indicator. JSON output feeds the board pack's data quality
    annex.

    \b
    Example:
      reportgen returns status --period 2005-03
      reportgen returns status --period 2005-03 --format json --since 2005-04-12T09:00:00+00:00
      reportgen returns status --period 2005-03 --received-by 2005-04-25
    """
    import json

    from rich.console import Console
    from rich.table import Table

    from reportgen.config import load_config
    from reportgen.periods import Period
    from reportgen.returns.status import return_status, summary_line
    from reportgen.store import Store

    config = load_config(config_dir)
    when = parse_instant(since, "--since")
    by = parse_instant(received_by, "--received-by", whole_day=True)
    store = Store(store_url, partnership=config.partnership.id, create=False)
    try:
        frame = return_status(
            config,
            store,
            Period.parse(period),
            since=when,
            feeds=not returns_only,
            received_by=by,
            today=by.date() if by else None,
        )
    finally:
        store.dispose()
    if fmt == "json":
        click.echo(json.dumps(frame.to_dict(orient="records"), indent=2, default=str))
        return
    table = Table(title=f"Data returns for {Period.parse(period).label}")
    for col in ("partner", "indicator", "period", "deadline", "status", "areas", "revised"):
        table.add_column(col)
    for r in frame.itertuples():
        status = str(r.status) + (" (overdue)" if r.overdue else "")  # str() for the type checker: all text already
        areas = f"{r.areas_received}/{r.areas_expected}"
        table.add_row(str(r.partner), str(r.indicator), str(r.period), str(r.deadline), status, areas,
                      "yes" if r.revised else "")
    Console().print(table)
    click.echo(summary_line(frame))


# --- the scheduled service ------------------------------------------------------------------
SCHEDULES_HELP = "Schedules file (default: schedules.toml)."


def schedules_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--schedules",
        "schedules_path",
        type=click.Path(path_type=Path),
        default=Path("schedules.toml"),
        show_default=True,
        help=SCHEDULES_HELP,
    )(func)


def _load_schedules(path: Path, store_url: str | None = None) -> Schedules:
    from reportgen.schedule.config import load_schedules

    settings = load_schedules(path)
    if store_url:
        settings = settings.model_copy(update={"store": store_url})
    return settings


def _event_logging() -> None:
    """The service's and delivery's events at INFO whatever -v says, through the one handler
    (and format, text or JSON) that ``cli`` set up."""
    for name in ("reportgen.schedule", "reportgen.deliver"):
        logger = logging.getLogger(name)
        logger.setLevel(min(logger.getEffectiveLevel(), logging.INFO))


@cli.command()
@schedules_option
@store_option
@click.option("--once", is_flag=True, help="Run what is due (catch-up) and the outbox, then exit.")
@handle_errors
def serve(schedules_path: Path, store_url: str | None, once: bool) -> None:
    """Run the scheduled service in the foreground until SIGTERM or Ctrl-C.

    Jobs come from schedules.toml; their next run times and the run history live in the
    database beside the store. Missed runs are caught up once each, for the period they were
    due for. Logs one line per event on stderr.

    One service runs one partnership's schedules (the partnership of its config_dir); run one
    service per partnership against a shared database (docs/service.md). A store made by an
    older reportgen is refused until `reportgen db upgrade` has been run.

    \b
    Example:
      reportgen serve --schedules schedules.toml
    """
    from reportgen.schedule.service import Service
    from reportgen.store import Store

    _event_logging()
    settings = _load_schedules(schedules_path, store_url)
    # serve may create the store (at the newest schema); one from an older reportgen is refused
    # here, naming `reportgen db upgrade`, before anything is scheduled
    Store(settings.store, partnership=settings.partnership).dispose()
    service = Service(settings)
    if once:
        service.startup()
        service.run_due()
        service.flush_outbox()
        return
    clean = service.serve()
    if service.exit_code:
        # The watchdog found the scheduler dead or stuck: exit non-zero for systemd to restart us.
        logging.shutdown()
        os._exit(service.exit_code)
    if not clean:
        # The run in hand was abandoned and recorded; its thread cannot be joined, so leave now.
        logging.shutdown()
        os._exit(0)


@cli.command("schedules")
@schedules_option
@click.option("-n", "--count", default=3, show_default=True, help="How many next run times per job.")
@handle_errors
def schedules_cmd(schedules_path: Path, count: int) -> None:
    """List each job's next run times in its local time, with the period each run reports.

    \b
    Example:
      reportgen schedules -n 5
    """
    import datetime as dt

    from rich.console import Console
    from rich.table import Table

    from reportgen.schedule.timing import iter_due

    settings = _load_schedules(schedules_path)
    now = dt.datetime.now(dt.UTC)
    table = Table(title=f"Schedules in {schedules_path}")
    for col in ("job", "report", "when", "next runs (local time) -> period", "delivers to"):
        table.add_column(col)
    for job in settings.jobs:
        w = job.when
        rule = w.cron or (f"working day {w.working_day} after the {job.period} closes, {w.at:%H:%M}"
                          if w.working_day is not None else f"once at {w.once}")
        nexts = []
        for due, _ in zip(iter_due(job, now), range(count), strict=False):
            nexts.append(f"{due.at.astimezone(job.tz):%a %d %b %Y %H:%M %Z} -> {due.period.key}")
        deliver = ", ".join(d.channel.value + (f" ({', '.join(d.to)})" if d.to else "") for d in job.deliver)
        if job.needs_approval:
            deliver += " after approval"
        variant = ", ".join(f"{k}={v}" for k, v in job.variant.items())
        table.add_row(
            job.id + ("" if job.enabled else " (disabled)"),
            job.report + (f" [{variant}]" if variant else ""),
            rule,
            "\n".join(nexts) or "none",
            deliver or "-",
        )
    Console(width=160).print(table)


@cli.command()
@schedules_option
@store_option
@click.option("--job", help="Only this job.")
@click.option("--period", help="Only this period, e.g. 2005-03.")
@click.option("--status", type=click.Choice(["running", "succeeded", "failed", "abandoned"]),
              help="Only runs in this state; 'failed' also lists runs with a failed delivery.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run, for scripts.")
@handle_errors
def history(
    schedules_path: Path, store_url: str | None, job: str | None, period: str | None, status: str | None,
    as_json: bool,
) -> None:
    """Show every run: job, period, version, started, finished, status, error, files, deliveries.

    \b
    Example:
      reportgen history --job board-pack --period 2005-03
    """
    import json

    from rich.console import Console
    from rich.table import Table

    from reportgen.periods import Period
    from reportgen.schedule.ledger import Ledger
    from reportgen.schedule.manual import local

    settings = _load_schedules(schedules_path, store_url)
    ledger = Ledger(settings.database_url, partnership=settings.partnership, create=False)
    key = Period.parse(period).key if period else None
    if status == "failed":
        # A run that succeeded but whose email was refused, or could not go, is a failure too.
        runs = [r for r in ledger.runs(job=job, period=key)
                if r.status == "failed" or any(d.status.startswith("failed") for d in ledger.deliveries(r.id))]
    else:
        runs = ledger.runs(job=job, period=key, status=status)
    tz = settings.timezone
    if as_json:
        for run in runs:
            click.echo(json.dumps({
                "id": run.id, "job": run.job, "period": run.period, "version": run.version,
                "report": run.report, "trigger": run.trigger, "status": run.status, "attempts": run.attempts,
                "started": run.started_at.isoformat(), "finished": run.finished_at.isoformat()
                if run.finished_at else None, "error": run.error, "files": [str(f) for f in run.files],
                "approval": run.approval, "gaps": run.gaps, "note": run.note,
                "deliveries": [{"channel": d.channel, "target": d.target, "status": d.status,
                                "detail": d.detail} for d in ledger.deliveries(run.id)],
            }))
        return
    table = Table(title=f"Run history of {ledger.partnership} ({redact(ledger.url)})")
    for col in ("job", "period", "v", "trigger", "started", "finished", "status", "error / note",
                "files", "deliveries"):
        table.add_column(col, overflow="fold")
    for run in runs:
        state = run.status + (f" ({run.attempts} tries)" if run.attempts > 1 else "")
        if run.approval != "none":
            state += f", {run.approval}"
        records = ledger.deliveries(run.id)
        if any(d.status.startswith("failed") for d in records):
            state += ", delivery failed"
        dels = [f"{d.channel}: {d.status} {d.target}" + (f" ({d.detail})" if d.status.startswith("failed") else "")
                for d in records]
        table.add_row(
            run.job, run.period, str(run.version), run.trigger, local(run.started_at, tz),
            local(run.finished_at, tz), state, run.error or (run.note or "").split("\n")[0],
            "\n".join(f.name for f in run.files), "\n".join(dels),
        )
    Console(width=200).print(table)
    if not runs:
        click.echo("No runs recorded yet.", err=True)


def _report_outcomes(runner: Runner, outcomes: list[tuple[Job, Run | None, str]]) -> None:
    failed = False
    for _job, run, message in outcomes:
        click.echo(message)
        if run is None:
            continue
        for path in run.files:
            click.echo(f"  {path}")
        for d in runner.ledger.deliveries(run.id):
            click.echo(f"  {d.channel}: {d.status} {d.target}")
        if run.status != "succeeded":
            failed = True
            click.echo(f"Error: {run.job} {run.period}: {run.error}", err=True)
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("name")
@click.option("--period", "period_text", required=True, help="The period whose data were revised.")
@click.option("--note", help="What changed, in a sentence (added to the automatic list of revisions).")
@click.option("--no-deliver", is_flag=True, help="Make the new version but do not deliver it.")
@schedules_option
@store_option
@handle_errors
def rerun(
    name: str, period_text: str, note: str | None, no_deliver: bool, schedules_path: Path,
    store_url: str | None,
) -> None:
    """Make a new version of a job's document for a period whose data were revised.

    The earlier version is kept; the new one carries a note of what changed (your --note
    and the values revised in the store since the earlier version was made).

    \b
    Example:
      reportgen rerun board-pack --period 2005-03 --note "Police resubmitted March burglaries"
    """
    from reportgen.periods import Period
    from reportgen.schedule.ledger import Ledger
    from reportgen.schedule.manual import rerun as do_rerun
    from reportgen.schedule.runner import Runner

    _event_logging()
    settings = _load_schedules(schedules_path, store_url)
    runner = Runner(settings, Ledger(settings.database_url, partnership=settings.partnership, create=False))
    _report_outcomes(runner, do_rerun(runner, name, Period.parse(period_text), note=note,
                                      deliver=not no_deliver))


@cli.command()
@click.argument("name")
@click.argument("period_text", metavar="PERIOD")
@schedules_option
@store_option
@handle_errors
def approve(name: str, period_text: str, schedules_path: Path, store_url: str | None) -> None:
    """Release a public document that is waiting for approval: publish it and send it to print.

    NAME is a job id or a report (``leaflet`` releases every leaflet variant of the period).
    Released documents are never overwritten; a correction is a new version (reportgen rerun).

    \b
    Example:
      reportgen approve leaflet 2005-Q1
    """
    from reportgen.periods import Period
    from reportgen.schedule.ledger import Ledger
    from reportgen.schedule.runner import Runner

    _event_logging()
    settings = _load_schedules(schedules_path, store_url)
    runner = Runner(settings, Ledger(settings.database_url, partnership=settings.partnership, create=False))
    released = runner.approve(name, Period.parse(period_text))
    for run in released:
        click.echo(f"released {run.job} {run.period} v{run.version}")
        for d in runner.ledger.deliveries(run.id):
            if d.status != "held":
                click.echo(f"  {d.channel}: {d.status} {d.target}")
    for run in runner.skipped:
        click.echo(f"not released {run.job} {run.period} v{run.version}: job {run.job!r} is no longer in "
                   f"{schedules_path}, so where it goes is unknown; put the job back and approve again",
                   err=True)
    if runner.skipped and not released:
        sys.exit(1)


@cli.group()
def outbox() -> None:
    """Email waiting to be sent (.eml files any mail client opens)."""


@outbox.command("list")
@schedules_option
@store_option
@click.option("--all", "show_all", is_flag=True, help="Also messages already sent.")
@handle_errors
def outbox_list(schedules_path: Path, store_url: str | None, show_all: bool) -> None:
    """List queued deliveries with their state (pending, failed-retrying, failed-permanent,
    sent) and any other message waiting in the outbox folder.

    \b
    Example:
      reportgen outbox list
    """
    import email
    import email.policy

    from reportgen.deliver.outbox import Outbox
    from reportgen.deliver.queue import DONE
    from reportgen.schedule.ledger import Ledger
    from reportgen.schedule.runner import Runner

    settings = _load_schedules(schedules_path, store_url)
    queue = Runner(settings, Ledger(settings.database_url, partnership=settings.partnership)).queue
    shown = 0
    for msg in queue.messages():
        if msg.status in DONE and not show_all:
            continue
        shown += 1
        retry = f", next try {msg.next_attempt_at:%Y-%m-%d %H:%M} UTC" if msg.next_attempt_at else ""
        click.echo(f"#{msg.id} {msg.status:<16} {msg.channel:<7} {msg.job} {msg.period}  to: {msg.target}  "
                   f"tries: {msg.attempts}{retry}" + (f"  ({msg.detail})" if msg.detail else ""))
    box = Outbox(settings.outbox.path)
    loose = box.loose()
    for path in loose:
        with path.open("rb") as fh:
            eml = email.message_from_binary_file(fh, policy=email.policy.default)
        click.echo(f"{path}  To: {eml['To']}  Subject: {eml['Subject']}")
    waiting = len(box.pending())
    click.echo(f"{waiting} message(s) waiting in {box.pending_dir}; {shown} queued deliveries listed, "
               f"{len(box.failed())} refused for good in {box.failed_dir}", err=True)


@outbox.command("send")
@schedules_option
@store_option
@handle_errors
def outbox_send(schedules_path: Path, store_url: str | None) -> None:
    """Send every queued delivery now (whatever its back-off) and any other message waiting in
    the outbox, over the configured SMTP server.

    \b
    Example:
      REPORTGEN_SMTP_PASSWORD=... reportgen outbox send
    """
    from reportgen.deliver.outbox import Outbox
    from reportgen.errors import DeliveryError
    from reportgen.schedule.ledger import Ledger
    from reportgen.schedule.runner import Runner

    _event_logging()
    settings = _load_schedules(schedules_path, store_url)
    if not settings.smtp.configured:
        raise DeliveryError(
            f"{schedules_path}: smtp.host is not set, so there is nowhere to send to",
            hint="add [smtp] host = \"mail.example.org\" (and user, password_env) to schedules.toml",
        )
    box = Outbox(settings.outbox.path)
    box.recover()
    done = Runner(settings, Ledger(settings.database_url, partnership=settings.partnership)).queue.process(force=True)
    result = box.send(settings.smtp, only=box.loose())
    sent = len(result.sent) + sum(m.status == "sent" for m in done)
    refused = len(result.failed) + sum(m.status == "failed-permanent" for m in done)
    click.echo(f"sent {sent}, waiting {len(box.pending())}" + (f", refused {refused}" if refused else ""))
    errors = [m.detail for m in done if m.status.startswith("failed")] + ([result.error] if result.error else [])
    if errors:
        raise DeliveryError(f"{len(box.pending())} message(s) still waiting, {refused} refused: {errors[0]}")

def _deliver_by_hand(report: str, period: Period, schedules_path: Path, store_url: str | None,
                     force: bool) -> None:
    from reportgen.schedule.ledger import Ledger
    from reportgen.schedule.manual import manual_run
    from reportgen.schedule.runner import Runner

    _event_logging()
    settings = _load_schedules(schedules_path, store_url)
    runner = Runner(settings, Ledger(settings.database_url, partnership=settings.partnership, create=False))
    _report_outcomes(runner, manual_run(runner, report, period, force=force))


@cli.command()
@click.argument("dest", type=click.Path(path_type=Path))
@config_option
@store_option
@click.option("--schedules", "schedules_path", type=click.Path(path_type=Path), default=Path("schedules.toml"),
              show_default=True, help="The service's schedules file (its output folders and ledger database).")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None,
              help="Returns folder (default: $REPORTGEN_RETURNS_DIR or var/returns).")
@click.option("--no-outputs", is_flag=True, help="Leave out the issued documents (they can be made again).")
@handle_errors
def backup(dest: Path, config_dir: Path, store_url: str | None, schedules_path: Path, data_dir: Path | None,
           no_outputs: bool) -> None:
    """Copy the store, the returns archive, outputs and config into a new folder DEST.

    The database is copied with SQLite's online backup API, so it is consistent even while
    `serve` or `pull` is writing. Restore with the service stopped (docs/service.md).

    \b
    Example:
      reportgen backup /backups/reportgen-$(date +%F)
    """
    from reportgen.backup import backup as do_backup
    from reportgen.returns.paths import default_data_dir
    from reportgen.store import default_url

    ledger_url, out_dir = None, Path("outputs")
    if schedules_path.is_file():
        settings = _load_schedules(schedules_path, store_url)
        ledger_url, out_dir = settings.database_url, settings.out_dir
        store_url = store_url or settings.store
    result = do_backup(
        dest,
        store_url=store_url or default_url(),
        ledger_url=ledger_url,
        returns_dir=data_dir or default_data_dir(),
        out_dir=None if no_outputs else out_dir,
        config_dir=config_dir,
        schedules=schedules_path if schedules_path.is_file() else None,
        progress=lambda what: click.echo(f"  copying {what}", err=True),
    )
    for what, where in result.copied.items():
        click.echo(f"{what}: from {where}")
    for what, why in result.skipped.items():
        click.echo(f"{what}: skipped ({why})")
    click.echo(f"Backup written to {result.dest}")


@returns.command("remind")
@schedules_option
@store_option
@click.option("--period", "period_text", required=True, help="Reporting period, e.g. 2005-03.")
@click.option("--days-before", type=click.IntRange(min=0), default=None,
              help="Remind this many days before the deadline (and once more when overdue); "
              "default: [reminders] days_before in schedules.toml (3).")
@click.option("--today", "today_text", default=None, help="Act as on this date (ISO), e.g. to catch up.")
@click.option("--console-url", default="", help="The console's address, put in the email.")
@handle_errors
def returns_remind(schedules_path: Path, store_url: str | None, period_text: str, days_before: int | None,
                   today_text: str | None, console_url: str) -> None:
    """Email partners whose return is due within --days-before days, or overdue; each once.

    Run it daily (a systemd timer or cron; docs/console.md). Messages go through the outbox
    to each partner's contacts and are recorded in the console's audit log.

    \b
    Example:
      reportgen returns remind --period 2005-03 --days-before 3
    """
    import datetime as dt

    from reportgen.config import load_config
    from reportgen.console.db import open_db
    from reportgen.console.reminders import send_due_reminders
    from reportgen.periods import Period
    from reportgen.schedule.config import Schedules
    from reportgen.store import Store, default_url

    settings = _load_schedules(schedules_path, store_url) if schedules_path.is_file() else Schedules(store=store_url)
    config = load_config(settings.config_dir)
    url = settings.store or default_url()
    store = Store(url, partnership=config.partnership.id)
    today = dt.date.fromisoformat(today_text) if today_text else None
    sent = send_due_reminders(settings, config, store, open_db(url, config.partnership.id), Period.parse(period_text),
                              today=today, days_before=settings.reminders.days_before if days_before is None
                              else days_before, console_url=console_url or settings.reminders.console_url)  # fmt: skip
    for r in sent:
        click.echo(f"{r.partner} {r.period} {r.kind} (deadline {r.deadline}): {r.outcome}")
    if not sent:
        click.echo(f"no reminders due for {period_text}")


# --- the web console (reportgen/console/; docs/console.md) ---------------------------------------
def _console_db(
    schedules_path: Path, store_url: str | None, config_dir: Path | None = None
) -> tuple[ConsoleDb, Path]:
    """The console's tables in the store database named by schedules.toml (or --store), for
    the partnership of --config (else schedules.toml's config_dir, else data_sources)."""
    from reportgen.config.loader import load_partnership
    from reportgen.console.db import open_db
    from reportgen.store import default_url

    settings = _load_schedules(schedules_path, store_url) if schedules_path.is_file() else None
    url = store_url or (settings.store if settings else None) or default_url()
    folder = config_dir or (settings.config_dir if settings else Path("data_sources"))
    return open_db(url, load_partnership(folder).id), folder


@cli.command("console")
@schedules_option
@store_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (keep it local behind a proxy).")
@click.option("--port", type=int, default=8080, show_default=True, help="Port to listen on.")
@click.option("--period", "period_text", default=None,
              help="The month the pages open on (default: last month), e.g. 2005-03 for the demo.")
@click.option("--secure-cookies", is_flag=True,
              help="Mark cookies Secure and send HSTS: use behind a TLS-terminating proxy.")
@click.option("--proxy-headers/--no-proxy-headers", default=True, show_default=True,
              help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips (the proxy).")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True,
              help="Proxies whose X-Forwarded-* headers are believed.")
@click.option("--secret-file", type=click.Path(path_type=Path), default=Path("var/console-secret"),
              show_default=True, help="Session signing key, made on first start (or $REPORTGEN_CONSOLE_SECRET).")
@handle_errors
def console_cmd(
    schedules_path: Path, store_url: str | None, host: str, port: int, period_text: str | None,
    secure_cookies: bool, proxy_headers: bool, forwarded_allow_ips: str, secret_file: Path,
) -> None:
    """The web console for partners, comms staff, support and board members.

    \b
    Example (the demo, with a user per role):
      reportgen users add --demo
      reportgen console --period 2005-03      # then open http://127.0.0.1:8080
    """
    import uvicorn

    from reportgen.console.app import create_app
    from reportgen.console.security import load_secret
    from reportgen.periods import Period
    from reportgen.schedule.config import Schedules

    _event_logging()
    settings = _load_schedules(schedules_path, store_url) if schedules_path.is_file() else Schedules(store=store_url)
    app = create_app(
        settings,
        secret=load_secret(secret_file),
        period=Period.parse(period_text) if period_text else None,
        secure_cookies=secure_cookies,
    )
    click.echo(f"reportgen console on http://{host}:{port} (Ctrl-C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, proxy_headers=proxy_headers, forwarded_allow_ips=forwarded_allow_ips,
                log_level="warning", server_header=False)


def users_config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--config", "config_dir", type=click.Path(path_type=Path), default=None,
                        help="The partnership whose accounts these are (default: schedules.toml's config_dir, "
                        "else data_sources).")(func)  # fmt: skip


@cli.group()
def users() -> None:
    """Console accounts: support, partner (bound to one partner), comms, board."""


@users.command("add")
@click.argument("username", required=False)
@click.option("--role", type=click.Choice(("support", "partner", "comms", "board")), default=None)
@click.option("--partner", default=None, help="Partner id a partner account belongs to.")
@click.option("--email", default="", help="The person's email address.")
@click.option("--demo", is_flag=True, help="Add one demo user per role (a well-known password: the demo only).")
@users_config_option
@schedules_option
@store_option
@handle_errors
def users_add(username: str | None, role: str | None, partner: str | None, email: str, demo: bool,
              config_dir: Path | None, schedules_path: Path, store_url: str | None) -> None:
    """Add a console user; prints a random password once (or reads one from $REPORTGEN_NEW_PASSWORD).

    \b
    Examples:
      reportgen users add jo.bloggs --role partner --partner police --email jo@example.org
      reportgen users add --demo
    """
    import os

    from reportgen.config import load_config
    from reportgen.console import accounts

    engine, folder = _console_db(schedules_path, store_url, config_dir)
    config = load_config(folder)
    partners = [p.id for p in config.partners]
    if demo:
        made = accounts.add_demo_users(engine, partners)
        for u in made:
            click.echo(f"added {u.username} ({u.role}{': ' + u.partner if u.partner else ''})")
        click.echo(f"demo users: {', '.join(n for n, _, _ in accounts.DEMO_USERS)}; password: {accounts.DEMO_PASSWORD}")
        return
    if not username or not role:
        raise click.UsageError("give USERNAME and --role (or --demo)")
    password = os.environ.get("REPORTGEN_NEW_PASSWORD") or accounts.new_password()
    user = accounts.add_user(engine, username, role, password, partner=partner, email=email, known_partners=partners)
    click.echo(f"added {user.username} ({user.role}{': ' + user.partner if user.partner else ''})")
    if "REPORTGEN_NEW_PASSWORD" not in os.environ:
        click.echo(f"password (shown once): {password}")


@users.command("list")
@schedules_option
@store_option
@users_config_option
@handle_errors
def users_list(config_dir: Path | None, schedules_path: Path, store_url: str | None) -> None:
    """List console users, their roles and whether they are locked or disabled."""
    from reportgen.console import accounts

    engine, _ = _console_db(schedules_path, store_url, config_dir)
    for u in accounts.list_users(engine):
        state = "locked" if u.locked else "disabled" if u.disabled else "active"
        seen = u.last_login_at or "never"
        click.echo(f"{u.username:<20} {u.role:<8} {u.partner or '-':<16} {state:<8} last sign-in {seen}")


@users.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the account again.")
@schedules_option
@store_option
@users_config_option
@handle_errors
def users_disable(
    username: str, enable: bool, config_dir: Path | None, schedules_path: Path, store_url: str | None
) -> None:
    """Disable (or --enable) a console user: a disabled user cannot sign in."""
    from reportgen.console import accounts

    engine, _ = _console_db(schedules_path, store_url, config_dir)
    user = accounts.disable_user(engine, username, disabled=not enable)
    click.echo(f"{user.username}: {'disabled' if user.disabled else 'enabled'}")


@users.command("reset")
@click.argument("username")
@schedules_option
@store_option
@users_config_option
@handle_errors
def users_reset(username: str, config_dir: Path | None, schedules_path: Path, store_url: str | None) -> None:
    """A new password for a user (printed once, or $REPORTGEN_NEW_PASSWORD); unlocks a locked account."""
    import os

    from reportgen.console import accounts

    engine, _ = _console_db(schedules_path, store_url, config_dir)
    password = os.environ.get("REPORTGEN_NEW_PASSWORD") or accounts.new_password()
    user = accounts.reset_user(engine, username, password)
    click.echo(f"{user.username}: password reset, unlocked")
    if "REPORTGEN_NEW_PASSWORD" not in os.environ:
        click.echo(f"password (shown once): {password}")


def main() -> None:
    import gc

    # Python's default (a collection every 700 new container objects) spent ~20% of a leaflet's
    # CPU collecting garbage, mostly walking pandas', matplotlib's and WeasyPrint's long-lived
    # objects again and again; every 10,000 cuts it to ~6% (docs/performance.md). The render
    # workers are forked from this process and inherit it.
    gc.set_threshold(10_000, 10, 10)
    try:
        cli(prog_name="reportgen")
    finally:
        # Shutting the interpreter down collects again over everything: ~0.25 s of CPU at the
        # end of each run. Frozen objects are skipped by those collections; atexit handlers,
        # flushing and closing still run as usual.
        gc.freeze()


if __name__ == "__main__":
    main()
