"""Every police.uk row accounted for, through the real `reportgen pull`: the silent holes of
issue 12 (a crime type in other capitals, a mistyped LSOA code, a second copy of a monthly
file, a renamed crime type, a vanishing one) each end in a clear line, the right exit code
and, when the pull fails, a store left byte for byte as it was.

Fixtures are the real Cleveland files of examples/hartlepool (two months copied into
tmp_path and edited) with the example's own config. Expected numbers are counted straight
from the files with pandas, or taken from the acceptance data's README, never from the code
under test."""

from __future__ import annotations

import csv
import gzip
import io
import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from returns_fixtures import REPO, SHARED, file_digest

from reportgen.cli import cli
from reportgen.config import load_config
from reportgen.periods import Period
from reportgen.pull import pull as pull_sources
from reportgen.sources import get_source_class
from reportgen.sources.base import DropReason, rows_text
from reportgen.store import Store

EXAMPLE = REPO / "examples" / "hartlepool"
MONTHS = ("2023-02", "2023-03")
CLEVELAND = SHARED / "acceptance-data" / "police-uk" / "cleveland-street"


@pytest.fixture
def partnership(tmp_path: Path) -> Path:
    """The Hartlepool example's config with two months of its police.uk files."""
    root = tmp_path / "hartlepool"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("police-uk", "make_data.py"))
    (root / "data" / "police-uk").mkdir()
    for month in MONTHS:
        shutil.copy(EXAMPLE / "data" / "police-uk" / f"{month}-cleveland-street.csv.gz", root / "data" / "police-uk")
    # the default pattern, so an uncompressed copy of a file is picked up too, as it would be
    edit(root / "partners" / "police.toml", 'pattern = "*-cleveland-street.csv.gz"\n', "")
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def police_file(root: Path, month: str) -> Path:
    return root / "data" / "police-uk" / f"{month}-cleveland-street.csv.gz"


def read_rows(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write_rows(path: Path, df: pd.DataFrame) -> None:
    with gzip.open(path, "wt", newline="", encoding="utf-8") as fh:
        df.to_csv(fh, index=False)


def add_source_option(root: Path, line: str) -> None:
    edit(root / "partners" / "police.toml", 'path = "data/police-uk"\n', f'path = "data/police-uk"\n{line}\n')


def pull(root: Path, db: Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["pull", "--config", str(root), "--store", f"sqlite:///{db}"])


def borough(db: Path) -> dict[tuple[str, str], float]:
    frame = Store(f"sqlite:///{db}", partnership="hartlepool").frame()
    frame = frame[frame["area"] == "borough"]
    return {(r.indicator, r.period): r.value for r in frame.itertuples()}


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Error:")]


def loaded_first(root: Path, db: Path) -> str:
    """Pull the untouched files, then return the store's digest (its bytes and its WAL)."""
    result = pull(root, db)
    assert result.exit_code == 0, result.output
    return file_digest(db)


def assert_refused_and_untouched(result, db: Path, digest: str, before: dict) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 3, result.output
    errors = error_lines(result.output)
    assert len(errors) == 1, result.output
    assert file_digest(db) == digest
    assert borough(db) == before
    return errors[0]


def test_clean_files_account_for_every_row(partnership: Path, tmp_path: Path) -> None:
    result = pull(partnership, tmp_path / "s.sqlite")
    assert result.exit_code == 0, result.output
    n = sum(len(read_rows(police_file(partnership, m))) for m in MONTHS)
    assert f"police/street: {n:,} rows read, {n:,} loaded, 0 dropped" in result.output
    assert "warning" not in result.output and "note:" not in result.output


@pytest.mark.parametrize("where", ["config", "file"])
def test_capitals_slip_loads_and_says_it_normalised(partnership: Path, tmp_path: Path, where: str) -> None:
    good = tmp_path / "good.sqlite"
    assert pull(partnership, good).exit_code == 0
    path = police_file(partnership, "2023-03")
    df = read_rows(path)
    violence = int((df["Crime type"] == "Violence and sexual offences").sum())
    if where == "config":
        edit(
            partnership / "partners" / "police.toml",
            '"Violence and sexual offences" =',
            '"Violence and Sexual Offences" =',
        )
        seen, configured = "Violence and sexual offences", "Violence and Sexual Offences"
        violence += int((read_rows(police_file(partnership, "2023-02"))["Crime type"] == seen).sum())
    else:
        df["Crime type"] = df["Crime type"].replace("Violence and sexual offences", "Violence and  Sexual Offences ")
        write_rows(path, df)
        seen, configured = "Violence and  Sexual Offences", "Violence and sexual offences"
    db = tmp_path / "s.sqlite"
    result = pull(partnership, db)
    assert result.exit_code == 0, result.output
    assert (
        f"note: crime type {seen!r} in the files matched {configured!r} after normalising case and spaces "
        f"({violence:,} rows)" in result.output
    )
    assert borough(db) == borough(good)  # the same figures as with the right spelling


def test_mistyped_lsoa_code_fails_naming_both_codes(partnership: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    digest, before = loaded_first(partnership, db), borough(db)
    edit(partnership / "partnership.toml", '"E01011954"', '"E01011945"')  # two digits swapped
    rows = sum(int((read_rows(police_file(partnership, m))["LSOA code"] == "E01011954").sum()) for m in MONTHS)
    assert rows > 0
    result = pull(partnership, db)
    error = assert_refused_and_untouched(result, db, digest, before)
    assert error.startswith("Error: police/street: ")
    assert (
        f"{rows:,} rows would be dropped (LSOA in no area): E01011954 (Hartlepool 001A) is in no neighbourhood" in error
    )
    assert "partnership.toml lists E01011945, which no file holds (mistyped?)" in error
    assert "Hint: add the code to a neighbourhood's lsoas" in error
    assert f"  - LSOA in no area: {rows:,} rows: E01011954" in result.output
    assert "[not declared in the config: fails the pull]" in result.output
    assert "warning: 1 LSOA code in partnership.toml appears in no file: E01011945" in result.output

    # declared, the same rows are counted as left out on purpose and the pull succeeds
    add_source_option(partnership, 'ignore_unmatched_lsoas = ["e01011954"]')
    declared = pull(partnership, db)
    assert declared.exit_code == 0, declared.output
    assert f"  - LSOA in no area, ignored by config: {rows:,} rows: E01011954" in declared.output
    total = sum(len(read_rows(police_file(partnership, m))) for m in MONTHS)
    assert f"{total:,} rows read, {total - rows:,} loaded, {rows:,} dropped" in declared.output


def test_lsoa_of_another_district_is_outside_but_one_named_like_ours_is_a_slip(
    partnership: Path, tmp_path: Path
) -> None:
    path = police_file(partnership, "2023-03")
    df = read_rows(path)
    # three rows snapped over the border into a neighbouring district, as in the real Cleveland files
    outside = df.iloc[:3].assign(**{"LSOA code": "E01027700", "LSOA name": "Hambleton 001A"})
    write_rows(path, pd.concat([df, outside]))
    db = tmp_path / "s.sqlite"
    result = pull(partnership, db)
    assert result.exit_code == 0, result.output
    assert "  - outside the partnership: 3 rows: Hambleton 3" in result.output
    assert sum(v for (_, month), v in borough(db).items() if month == "2023-03") == len(df)

    # a Hartlepool LSOA the config does not list: the rows belong here, so dropping them is a slip
    ours = df.iloc[:2].assign(**{"LSOA code": "E01099999", "LSOA name": "Hartlepool 099Z"})
    write_rows(path, pd.concat([df, outside, ours]))
    result = pull(partnership, tmp_path / "t.sqlite")
    assert result.exit_code == 3, result.output
    assert (
        "2 rows would be dropped (LSOA in no area): E01099999 (Hartlepool 099Z) is in no neighbourhood, "
        "though named like the partnership's LSOAs (Hartlepool ...)" in result.output
    )

    # a partnership covering part of a district says so, and the rows are counted as left out
    add_source_option(partnership, "ignore_unmatched_lsoas = true")
    result = pull(partnership, tmp_path / "u.sqlite")
    assert result.exit_code == 0, result.output
    assert "  - LSOA in no area, ignored by config: 2 rows: E01099999 (Hartlepool 099Z)" in result.output
    assert "  - outside the partnership: 3 rows: Hambleton 3" in result.output


def test_pull_returns_each_source_account(partnership: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store(f"sqlite:///{tmp_path / 's.sqlite'}", partnership="hartlepool")
    with caplog.at_level(logging.INFO, logger="reportgen.pull"):
        result = pull_sources(load_config(partnership), store)
    [pulled] = result.sources
    n = sum(len(read_rows(police_file(partnership, m))) for m in MONTHS)
    assert (pulled.name, pulled.account.read, pulled.account.loaded, pulled.error) == ("police/street", n, n, None)
    assert pulled.summary is not None and pulled.summary.new == len(store.frame())
    summaries, failures = result  # the pair older callers unpack
    # the run log has the account too (a scheduled pull has no terminal)
    assert f"police/street: {n:,} rows read, {n:,} loaded, 0 dropped" in caplog.text
    assert [s.new for s in summaries] == [pulled.summary.new] and failures == []


def test_second_copy_of_a_monthly_file_is_refused_with_both_names(partnership: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    digest, before = loaded_first(partnership, db), borough(db)
    path = police_file(partnership, "2023-03")
    copy = path.with_name("2023-03-cleveland-street.csv")
    copy.write_bytes(gzip.decompress(path.read_bytes()))
    rows = len(read_rows(copy))
    assert rows == 1605  # the acceptance README's Hartlepool count for March 2023
    result = pull(partnership, db)
    error = assert_refused_and_untouched(result, db, digest, before)
    assert (
        f"{rows:,} rows would be dropped (duplicate rows across files): 2023-03-cleveland-street.csv.gz repeats "
        "Cleveland Police 2023-03, already read from 2023-03-cleveland-street.csv" in error
    )
    assert "Hint: keep one file per force and month in the folder" in error
    assert f"  - duplicate rows across files: {rows:,} rows: " in result.output
    assert "[fails the pull]" in result.output and "not declared" not in result.output  # no key can allow it
    assert sum(v for (_, month), v in before.items() if month == "2023-03") == rows  # not doubled


def test_renamed_crime_type_fails_rather_than_recording_zero(partnership: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    digest, before = loaded_first(partnership, db), borough(db)
    path = police_file(partnership, "2023-03")
    df = read_rows(path)
    renamed = int((df["Crime type"] == "Violence and sexual offences").sum())
    df["Crime type"] = df["Crime type"].replace("Violence and sexual offences", "Violence and sexual offence")
    write_rows(path, df)
    result = pull(partnership, db)
    error = assert_refused_and_untouched(result, db, digest, before)
    assert (
        f"{renamed:,} rows would be dropped (unknown crime type): 'Violence and sexual offence' "
        "(did you mean 'Violence and sexual offences'?)" in error
    )
    assert "Hint: map it in the source's crime_types, or list it in ignore_crime_types" in error
    assert (
        "warning: crime type 'Violence and sexual offences' has no rows in 2023-03, though earlier months have some"
        in result.output
    )
    assert before[("violence", "2023-03")] == renamed  # still the figure of the file as published

    # declared as left out on purpose: the pull succeeds, but violence gets no figure for the
    # month rather than a 0 (the store keeps what it had), and the summary says so
    add_source_option(partnership, 'ignore_crime_types = ["Violence and sexual offence"]')
    declared = pull(partnership, db)
    assert declared.exit_code == 0, declared.output
    assert f"  - crime type ignored by config: {renamed:,} rows: 'Violence and sexual offence'" in declared.output
    assert (
        "warning: violence has no figure for 2023-03: none of its crime types has a row that month" in declared.output
    )
    assert borough(db)[("violence", "2023-03")] == renamed


def test_vanishing_crime_type_is_a_warning_not_a_failure(partnership: Path, tmp_path: Path) -> None:
    path = police_file(partnership, "2023-03")
    df = read_rows(path)
    kept = df[df["Crime type"] != "Bicycle theft"]
    assert len(kept) < len(df)
    write_rows(path, kept)
    db = tmp_path / "s.sqlite"
    result = pull(partnership, db)
    assert result.exit_code == 0, result.output
    assert (
        "warning: crime type 'Bicycle theft' has no rows in 2023-03, though earlier months have some: "
        "renamed or withdrawn by police.uk?" in result.output
    )
    # other_theft is also fed by two types still present, so it keeps a figure for the month
    others = int(kept["Crime type"].isin(["Other theft", "Theft from the person"]).sum())
    assert borough(db)[("other_theft", "2023-03")] == others


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            'ignore_crime_types = ["drugs"]',
            "ignore_crime_types: Value error, 'drugs' is mapped in crime_types as 'Drugs': map it or ignore it",
        ),
        ('ignore_unmatched_lsoas = ["E01011954"]', "E01011954 is in partnership.toml's neighbourhoods"),
    ],
)
def test_contradictory_options_stop_the_pull_before_the_store(
    partnership: Path, tmp_path: Path, option: str, message: str
) -> None:
    db = tmp_path / "s.sqlite"
    digest = loaded_first(partnership, db)
    add_source_option(partnership, option)
    result = pull(partnership, db)
    assert result.exit_code == 2, result.output
    assert message in result.output and "partners/police.toml" in result.output
    assert file_digest(db) == digest


def test_two_spellings_of_one_crime_type_in_the_config_are_refused(partnership: Path, tmp_path: Path) -> None:
    edit(partnership / "partners" / "police.toml", '"Drugs" = "drugs"', '"Drugs" = "drugs"\n"DRUGS " = "drugs"')
    result = pull(partnership, tmp_path / "s.sqlite")
    assert result.exit_code == 2, result.output
    assert "'Drugs' and 'DRUGS ' are the same crime type once case and spaces are ignored" in result.output


def test_months_outside_the_period_asked_for_are_counted(partnership: Path) -> None:
    config = load_config(partnership)
    partner = config.partner("police")
    source = get_source_class("policeuk")(partner.sources[0], partner, config, period=Period.parse("2023-03"))
    data = source.load()
    february = len(read_rows(police_file(partnership, "2023-02")))
    march = len(read_rows(police_file(partnership, "2023-03")))
    account = data.account
    assert (account.read, account.loaded) == (february + march, march)
    [drop] = account.drops
    assert (drop.reason, drop.rows, drop.fails) == (DropReason.MONTH_OUT_OF_RANGE, february, False)
    assert set(data.frame["period"]) == {"2023-03"}


def test_a_cleveland_wide_folder_keeps_hartlepool_and_counts_the_rest(tmp_path: Path) -> None:
    """The real, whole Cleveland files: every row is Hartlepool's or outside the partnership,
    in the numbers the acceptance data's README publishes per local authority."""
    if not CLEVELAND.is_dir():
        pytest.skip(f"shared acceptance data not found at {SHARED}")
    root = tmp_path / "hartlepool"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("police-uk", "make_data.py"))
    shutil.copytree(CLEVELAND, root / "data" / "police-uk")
    edit(root / "partners" / "police.toml", '"*-cleveland-street.csv.gz"', '"*-cleveland-street.csv"')
    result = pull(root, tmp_path / "s.sqlite")
    assert result.exit_code == 0, result.output
    assert "police/street: 108,848 rows read, 18,393 loaded, 90,455 dropped" in result.output
    assert (
        "  - outside the partnership: 90,455 rows: Middlesbrough 35,818, Stockton-on-Tees 31,364, "
        "Redcar and Cleveland 23,250, Hambleton 18, County Durham 5" in result.output
    )
    assert "warning" not in result.output


def test_csv_return_maps_labels_loosely_and_says_so(small_config: Path, tmp_path: Path) -> None:
    police = small_config / "partners" / "police.toml"
    edit(police, 'path = "data/police.csv"\n', 'path = "data/police.csv"\narea_map = { "North Ward" = "north" }\n')
    (small_config / "data" / "police.csv").write_text(
        "indicator,area,period,value\nburglary,north  WARD,2005-03,12\nburglary,North Ward,2005-04,7\nburglary,south,2005-03,20\n"
    )
    db = tmp_path / "s.sqlite"
    result = pull(small_config, db)
    assert result.exit_code == 0, result.output
    assert "police/returns: 3 rows read, 3 loaded, 0 dropped" in result.output
    assert (
        "note: 'north  WARD' matched area_map's 'North Ward' after normalising case and spaces (1 row)" in result.output
    )
    frame = Store(f"sqlite:///{db}", partnership=load_config(small_config).partnership.id).frame()
    assert sorted(frame.loc[frame["area"] == "north", "value"]) == [7.0, 12.0]


def test_csv_map_keys_that_differ_only_in_case_are_refused(small_config: Path, tmp_path: Path) -> None:
    police = small_config / "partners" / "police.toml"
    edit(
        police,
        'path = "data/police.csv"\n',
        'path = "data/police.csv"\narea_map = { "North" = "north", "NORTH" = "south" }\n',
    )
    result = pull(small_config, tmp_path / "s.sqlite")
    assert result.exit_code == 2, result.output
    assert "area_map: Value error, 'North' and 'NORTH' are the same once case and spaces are ignored" in result.output


def test_a_folder_with_no_row_of_ours_fails_rather_than_loading_zeros(partnership: Path, tmp_path: Path) -> None:
    for month in MONTHS:
        path = police_file(partnership, month)
        df = read_rows(path)
        write_rows(path, df.assign(**{"LSOA code": "E01012345", "LSOA name": "Middlesbrough 001A"}))
    n = sum(len(read_rows(police_file(partnership, m))) for m in MONTHS)
    db = tmp_path / "s.sqlite"
    result = pull(partnership, db)
    assert result.exit_code == 3, result.output
    [error] = error_lines(result.output)
    assert f"{n:,} rows would be dropped (outside the partnership): Middlesbrough {n:,}" in error
    assert "is this the right force's folder" in error
    assert Store(f"sqlite:///{db}", partnership="hartlepool").frame().empty


def test_lsoa_code_in_other_case_and_spaces_loads_and_says_so(partnership: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.sqlite"
    assert pull(partnership, good).exit_code == 0
    path = police_file(partnership, "2023-03")
    df = read_rows(path)
    rows = int((df["LSOA code"] == "E01011954").sum())
    df["LSOA code"] = df["LSOA code"].replace("E01011954", " e01011954")
    write_rows(path, df)
    db = tmp_path / "s.sqlite"
    result = pull(partnership, db)
    assert result.exit_code == 0, result.output
    # labels are trimmed as they are read, so the note quotes the code without its space
    note = f"note: LSOA code 'e01011954' in the files matched E01011954 after normalising case and spaces ({rows} rows)"
    assert note in result.output
    assert (
        Store(f"sqlite:///{db}", partnership="hartlepool")
        .frame()[["indicator", "area", "period", "value"]]
        .equals(Store(f"sqlite:///{good}", partnership="hartlepool").frame()[["indicator", "area", "period", "value"]])
    )


@pytest.mark.parametrize(
    ("typed", "configured", "slip"),
    [
        ("E01011945", "E01011954", True),  # neighbours swapped
        ("E01011955", "E01011954", True),  # one wrong
        ("E0101954", "E01011954", True),  # one missing
        ("E010119544", "E01011954", True),  # one extra
        ("E01011459", "E01011954", False),  # three apart
        ("E01011954", "E01011954", False),  # the same is no slip
    ],
)
def test_one_slip_between_codes(typed: str, configured: str, slip: bool) -> None:
    from reportgen.sources.policeuk import _one_slip

    assert _one_slip(typed, configured) is slip
    assert _one_slip(configured, typed) is slip


@pytest.mark.parametrize("reported_by", ["blank", "no column"])
def test_without_reported_by_the_file_name_tells_the_force(partnership: Path, tmp_path: Path, reported_by: str) -> None:
    path = police_file(partnership, "2023-03")
    df = read_rows(path)
    df = df.drop(columns="Reported by") if reported_by == "no column" else df.assign(**{"Reported by": ""})
    write_rows(path, df)
    result = pull(partnership, tmp_path / "s.sqlite")
    assert result.exit_code == 0, result.output  # 2023-02 says Cleveland Police, 2023-03 "cleveland": no clash
    copy = path.with_name("2023-03-cleveland-street.csv")
    copy.write_bytes(gzip.decompress(path.read_bytes()))
    result = pull(partnership, tmp_path / "t.sqlite")
    assert result.exit_code == 3, result.output
    assert (
        "2023-03-cleveland-street.csv.gz repeats cleveland 2023-03, already read from 2023-03-cleveland-street.csv"
        in result.output
    )


def test_readme_example_is_what_pull_prints(tmp_path: Path) -> None:
    """README's "Every row accounted for" block, made again: the whole Cleveland files, a crime type
    in other capitals in the config, and March's "Drugs" renamed "Drug offences"."""
    if not CLEVELAND.is_dir():
        pytest.skip(f"shared acceptance data not found at {SHARED}")
    root = tmp_path / "hartlepool"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("police-uk", "make_data.py"))
    folder = root / "data" / "police-uk"
    shutil.copytree(CLEVELAND, folder)
    edit(root / "partners" / "police.toml", '"*-cleveland-street.csv.gz"', '"*-cleveland-street.csv"')
    edit(root / "partners" / "police.toml", '"Violence and sexual offences" =', '"Violence and Sexual Offences" =')
    march = read_rows(folder / "2023-03-cleveland-street.csv")
    march["Crime type"] = march["Crime type"].replace("Drugs", "Drug offences")
    march.to_csv(folder / "2023-03-cleveland-street.csv", index=False)
    result = pull(root, tmp_path / "s.sqlite")
    assert result.exit_code == 3, result.output
    readme = (REPO / "README.md").read_text()
    block = readme.split("#### Every row accounted for", 1)[1].split("```\n", 2)[1]
    expected = [line for line in block.splitlines() if line and not line.startswith("Error:")]
    printed = result.output.splitlines()
    start = printed.index(expected[0])
    assert printed[start : start + len(expected)] == expected
    [error] = error_lines(result.output)
    readme_error = next(line for line in block.splitlines() if line.startswith("Error:"))
    assert error.replace(str(folder), "data/police-uk") == readme_error


def test_an_exception_that_matches_nothing_is_noted(partnership: Path, tmp_path: Path) -> None:
    add_source_option(partnership, 'ignore_crime_types = ["Stalking"]\nignore_unmatched_lsoas = ["E01000001"]')
    result = pull(partnership, tmp_path / "s.sqlite")
    assert result.exit_code == 0, result.output
    assert "note: the config ignores 'Stalking', 'E01000001', which no file holds" in result.output


def test_csv_blank_lines_keep_every_line_number_true(small_config: Path, tmp_path: Path) -> None:
    csv = small_config / "data" / "police.csv"
    csv.write_text("indicator,area,period,value\nburglary,north,2005-03,1\n\n,,,\nburglary,north,2005-04,x\n")
    result = pull(small_config, tmp_path / "s.sqlite")
    assert result.exit_code == 3, result.output
    assert "line 5, column 'value': 'x' is not a number" in result.output  # the file's own line 5
    csv.write_text("indicator,area,period,value\nburglary,north,2005-03,1\n\n,,,\nburglary,north,2005-04,2\n")
    result = pull(small_config, tmp_path / "s.sqlite")
    assert result.exit_code == 0, result.output
    assert "police/returns: 2 rows read, 2 loaded, 0 dropped" in result.output
    assert "note: 2 blank lines skipped" in result.output


def test_two_slips_at_once_name_the_first_and_count_the_rest(partnership: Path, tmp_path: Path) -> None:
    edit(partnership / "partnership.toml", '"E01011954"', '"E01011945"')
    path = police_file(partnership, "2023-03")
    df = read_rows(path)
    df["Crime type"] = df["Crime type"].replace("Drugs", "Drug offences")
    write_rows(path, df)
    frames = [read_rows(police_file(partnership, m)) for m in MONTHS]
    lsoa = sum(int((f["LSOA code"] == "E01011954").sum()) for f in frames)
    renamed = int(((df["Crime type"] == "Drug offences") & (df["LSOA code"] != "E01011954")).sum())
    assert lsoa and renamed
    result = pull(partnership, tmp_path / "s.sqlite")
    assert result.exit_code == 3, result.output
    [error] = error_lines(result.output)
    assert f"{lsoa + renamed:,} rows would be dropped, {lsoa:,} of them (LSOA in no area): E01011954" in error
    assert error.endswith(
        f"; and {renamed:,} more (see the pull summary) Hint: add the code to a neighbourhood's lsoas in "
        "partnership.toml, or set the source's ignore_unmatched_lsoas (true, or a list of codes)"
    )
    assert f"  - unknown crime type: {rows_text(renamed)}: 'Drug offences' (did you mean 'Drugs'?)" in result.output


# --- rows with the wrong number of fields -----------------------------------------------------------
def acceptance_month(root: Path, month: str = "2023-03") -> Path:
    """The whole real Cleveland file for ``month`` from the acceptance data, uncompressed, in
    place of the example's Hartlepool-only copy."""
    if not CLEVELAND.is_dir():
        pytest.skip(f"shared acceptance data not found at {SHARED}")
    police_file(root, month).unlink()
    return Path(shutil.copy(CLEVELAND / f"{month}-cleveland-street.csv", root / "data" / "police-uk"))


def test_a_row_shifted_by_an_unquoted_comma_is_refused_naming_its_line(partnership: Path, tmp_path: Path) -> None:
    """A comma typed into one Location of a real file moves that row's LSOA code and crime type one
    column right, where a reader of selected columns would count it outside the partnership.
    The pull stops naming the file's own line, and the store is left as it was."""
    path = acceptance_month(partnership)
    db = tmp_path / "s.sqlite"
    digest, before = loaded_first(partnership, db), borough(db)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = 5000  # the file's 5,000th line, counting the header as line 1
    assert lines[line - 1].count(",On or near ") == 1
    lines[line - 1] = lines[line - 1].replace(",On or near ", ",On or near Flat 2, ", 1)
    path.write_text("".join(lines), encoding="utf-8")
    fields = {n + 1: len(row) for n, row in enumerate(csv.reader(io.StringIO("".join(lines))))}
    assert fields[1] == 12 and fields[line] == 13  # the oracle: the csv module's count
    assert [n for n, k in fields.items() if k != 12] == [line]
    error = assert_refused_and_untouched(pull(partnership, db), db, digest, before)
    assert error == (
        f"Error: police/street: {path}: line {line}: wrong number of fields (13 where the header has 12), so its values would "
        "land in the wrong columns Hint: a value holding a comma must be in double quotes"
    )


def test_a_file_cut_short_and_a_second_shifted_row_are_named_and_counted(partnership: Path, tmp_path: Path) -> None:
    path = acceptance_month(partnership)
    lines = path.read_text(encoding="utf-8").splitlines()
    last = len(lines)
    lines[99] += ",Extra"  # line 100
    lines[-1] = lines[-1][: lines[-1].index(",E0")]  # the download stopped before the LSOA code
    path.write_text("\n".join(lines), encoding="utf-8")  # and so without a last line break
    wrong = [n + 1 for n, row in enumerate(csv.reader(io.StringIO("\n".join(lines)))) if len(row) != 12]
    assert wrong == [100, last]
    result = pull(partnership, tmp_path / "s.sqlite")
    assert result.exit_code == 3, result.output
    assert f"{path}: line 100: wrong number of fields (13 where the header has 12)" in result.output
    assert "; 1 more line is wrong too" in result.output
    lines[99] = lines[99].removesuffix(",Extra")
    path.write_text("\n".join(lines), encoding="utf-8")
    result = pull(partnership, tmp_path / "t.sqlite")
    assert result.exit_code == 3, result.output
    assert f"{path}: line {last}: wrong number of fields (7 where the header has 12)" in result.output
    assert "Hint: was the file cut short?" in result.output


def test_quoted_commas_and_blank_lines_are_not_wrong_fields(partnership: Path, tmp_path: Path) -> None:
    """A quoted Location holding a comma, and blank lines, load as they would with every column
    read; a shifted row in a file with quotes is still named by its line (the csv module's check)."""
    path = acceptance_month(partnership)
    expected = tmp_path / "plain.sqlite"
    assert pull(partnership, expected).exit_code == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[9] = lines[9].replace(",On or near ", ',"On or near Flat 2, ', 1).replace(",E0", '",E0', 1)
    assert len(next(csv.reader([lines[9]]))) == 12
    lines[500:500] = ["", "   "]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "s.sqlite"
    result = pull(partnership, db)
    assert result.exit_code == 0, result.output
    assert borough(db) == borough(expected)
    lines[2999] = lines[2999].replace(",On or near ", ",On or near Flat 2, ", 1)  # line 3,000 of the file
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = pull(partnership, tmp_path / "t.sqlite")
    assert result.exit_code == 3, result.output
    assert f"{path}: line 3000: wrong number of fields (13 where the header has 12)" in result.output
