"""A realistic demo board pack (figures from the 2005-08 strategy) for tests and for people to look at.

Not used in production: real documents come from the report builders.
"""

from __future__ import annotations

import datetime as dt
import io

from reportgen.document import (
    BulletList,
    Callout,
    Cell,
    Chart,
    Contact,
    ContactList,
    DefinitionList,
    Document,
    Headline,
    HeadlineRow,
    Paragraph,
    Section,
    Status,
    Table,
)

CRIME_ALT = (
    "Line chart of recorded crime per 1,000 residents, 1995/96 to 2004/05. The borough fell from "
    "128 to 104; Greater Manchester fell from 121 to 110. The borough has been below Greater "
    "Manchester since 2002/03."
)


def crime_chart(large: bool = False) -> Chart:
    """A ten-year track drawn with matplotlib, as SVG and PNG, with reproducible output."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    years = [f"{y % 100:02d}/{(y + 1) % 100:02d}" for y in range(1995, 2005)]
    borough = [128, 126, 125, 122, 124, 121, 118, 112, 108, 104]
    region = [121, 120, 121, 119, 120, 118, 116, 114, 112, 110]
    # Large print: 18pt text at the printed size, so a smaller canvas and fewer tick labels.
    size, figsize = (18, (6.5, 4.6)) if large else (10, (7.5, 3.6))
    with plt.rc_context({"svg.hashsalt": "reportgen", "font.size": size, "font.family": "DejaVu Sans"}):
        fig, ax = plt.subplots(figsize=figsize)
        ax.plot(years, borough, color="#12355b", linewidth=2.5, marker="o", label="Borough")
        ax.plot(
            years,
            region,
            color="#c77700",
            linewidth=2.5,
            linestyle="--",
            marker="s",
            label="Greater Manchester",
        )
        ax.set_ylabel("Crimes per 1,000 residents")
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#d0d7de")
        if large:
            ax.set_xticks(years[::3])
        ax.legend(frameon=False)
        fig.tight_layout()
        svg, png = io.BytesIO(), io.BytesIO()
        fig.savefig(svg, format="svg", metadata={"Date": None})
        fig.savefig(png, format="png", dpi=150, metadata={"Software": None})
        plt.close(fig)
    return Chart(
        id="crime-track",
        title="Recorded crime per 1,000 residents, borough and Greater Manchester",
        alt_text=CRIME_ALT,
        svg=svg.getvalue(),
        png=png.getvalue(),
        width_mm=165,
        caption="The borough's rate has fallen faster than the Greater Manchester rate since 2001/02.",
        source="Police recorded crime, Greater Manchester Police.",
    )


SCORECARD = Table(
    caption="Table 1: The eight targets of the 2005-2008 strategy",
    columns=("Target", "Baseline 2003/04", "Latest", "Target 2007/08", "RAG", "Status"),
    rows=(
        (
            "1. Recorded crime",
            "27,012",
            "23,012",
            "21,069",
            Cell("Green", Status.GREEN),
            Cell("On track", Status.ON_TRACK),
        ),
        (
            "2. Public confidence",
            "28%",
            "29%",
            "33%",
            Cell("Amber", Status.AMBER),
            Cell("At risk", Status.AT_RISK),
        ),
        (
            "3. Successful drug treatment",
            "558",
            "1,500",
            "614",
            Cell("Green", Status.GREEN),
            Cell("Met", Status.MET),
        ),
        ("4. Reoffending", "34%", "37%", "32%", Cell("Red", Status.RED), Cell("Not met", Status.NOT_MET)),
        (
            "5. Youth offending indicators",
            "14",
            "11 of 14 improving",
            "14 of 14",
            Cell("Amber", Status.AMBER),
            Cell("At risk", Status.AT_RISK),
        ),
        (
            "6. Priority neighbourhood gap",
            "41%",
            "35%",
            "33%",
            Cell("Green", Status.GREEN),
            Cell("On track", Status.ON_TRACK),
        ),
        (
            "7. Residents' participation",
            "2,310",
            "No return",
            "2,541",
            Cell("Grey", Status.GREY),
            Cell("No data", Status.NO_DATA),
        ),
        (
            "8. Cleaner environment",
            "6 indicators",
            "5 of 6 improving",
            "5 of 6",
            Cell("Green", Status.GREEN),
            Cell("On track", Status.ON_TRACK),
        ),
    ),
    column_align=("left", "right", "right", "right", "left", "left"),
    notes=(
        "Latest figures are the rolling 12 months to October 2026. **RAG** compares the latest "
        "figure with the straight-line trajectory from baseline to target.",
    ),
)

THEN_AND_NOW = Table(
    caption="Table 2: Priorities of the previous strategy, 2001/02 and 2004/05",
    columns=("Type", "2001/02", "2004/05", "Change"),
    rows=(
        ("House burglary", "2,916", "2,176", Cell("Down 25%", Status.GREEN)),
        ("Vehicle crime", "6,987", "4,664", Cell("Down 33%", Status.GREEN)),
        ("Anti-social behaviour", "22,953", "22,431", Cell("Down 2%", Status.GREEN)),
        ("Domestic violence", "4,306", "4,888", Cell("Up 14%", Status.RED)),
        ("People in drug/alcohol treatment", "558", "1,500", Cell("Up 169%", Status.GREEN)),
        ("Town centre safety", "2,065", "1,959", Cell("Down 5%", Status.GREEN)),
        ("Incidents on public transport", "339", "294", Cell("Down 13%", Status.GREEN)),
        ("Hate crime", "210", "198", Cell("Down 6%", Status.GREEN)),
    ),
    column_align=("left", "right", "right", "left"),
    notes=("More domestic violence reports can mean more victims are confident to come forward.",),
)


def _target_section(number: int, large: bool) -> Section:
    chart = crime_chart(large)
    chart = Chart(**{**chart.__dict__, "id": f"crime-track-{number}"})
    return Section(
        f"Target {number}: recorded crime in detail",
        (
            Paragraph(
                "Recorded crime is the sum of the ten crime types in the comparator set. "
                "It fell by **13%** in the last twelve months: 4,000 fewer offences."
            ),
            Section("Ten-year track", (chart,), level=2),
            Section("Then and now", (THEN_AND_NOW,), level=2),
        ),
        level=1,
        page_break_before=True,
    )


def sample_document(variant: str = "standard", *, repeat: int = 1, kind: str = "board-pack") -> Document:
    """The demo board pack. ``repeat`` adds copies of the detailed section to make long documents."""
    large = variant == "large-print"
    headlines = HeadlineRow(
        (
            Headline(
                "Down 13%",
                "Recorded crime",
                "4,000 fewer offences than last year (27,012 \u2192 23,012)",
                Status.ON_TRACK,
            ),
            Headline(
                "655 fewer", "House burglaries", "2,831 \u2192 2,176 in the last 12 months", Status.GREEN
            ),
            Headline(
                "28%", "Rate the police excellent or good", "150 of 536 residents surveyed", Status.AT_RISK
            ),
        )
    )
    sections = [
        Section(
            "Summary",
            (
                headlines,
                Paragraph(
                    "Crime in the borough continues to fall and is below the Greater Manchester "
                    "rate. Two targets need the board's attention this month: **reoffending** "
                    "and **public confidence**."
                ),
                Callout(
                    "Decision needed",
                    "Reoffending is off track (37% against a trajectory of 33%). The board is "
                    "asked to agree a review of the prolific offender scheme.",
                    kind="warning",
                ),
            ),
            id="summary",
        ),
        Section("Scorecard", (SCORECARD,), id="scorecard"),
    ]
    sections += [_target_section(n, large) for n in range(1, repeat + 1)]
    sections += [
        Section(
            "What residents told us",
            (
                BulletList(
                    (
                        "36% (193 of 536) are very worried about being a victim of crime.",
                        "47% (251 of 536) say anti-social behaviour is a very or fairly big problem.",
                        "28% (150 of 536) rate the police excellent or good.",
                    )
                ),
                Callout(
                    "Good news",
                    "80% of victims reported the crime to the police, against 42% nationally.",
                    kind="success",
                ),
            ),
        ),
        Section(
            "Definitions",
            (
                DefinitionList(
                    (
                        ("RAG", "Red, amber or green: how far the latest figure is from the trajectory."),
                        ("Trajectory", "The straight line from the baseline year to the target year."),
                        ("Rolling 12 months", "The sum of the latest twelve monthly figures."),
                    )
                ),
            ),
        ),
        Section(
            "Contacts",
            (
                Paragraph(
                    "This document is available in large print, Braille, audio and other "
                    "languages on request."
                ),
                ContactList(
                    (
                        Contact(
                            "Community Safety Team",
                            "Partnership support",
                            "0161 000 0000",
                            "community.safety@example.gov.uk",
                            "www.example.gov.uk/safety",
                            "Town Hall, Example Street, EX1 1AA",
                        ),
                        Contact("Police (non-emergency)", "Greater Manchester Police", "101"),
                    )
                ),
            ),
        ),
    ]
    return Document(
        kind=kind,
        title="Community Safety Partnership board pack",
        subtitle="Performance against the 2005-2008 strategy targets",
        partnership="Example Borough Community Safety Partnership",
        period_label="October 2026",
        date=dt.date(2026, 11, 10),
        sections=tuple(sections),
        variant=variant,
        author="Example Borough Community Safety Partnership",
        keywords=("community safety", "performance", "board pack"),
        notice="Illustrative demo data",
        footer_text="Figures are provisional until the annual review.",
        toc=True,
    )
