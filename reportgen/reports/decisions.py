"""The board pack's decisions: each exception with its owner's commentary, and the decisions
asked of the board first on the summary page.

An exception with no commentary file says so in the pack ("No commentary received from YOT"),
in the summary and beside the exception, so a missing note is seen rather than hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.document import Block, BulletList, Callout, DefinitionList, Paragraph, Section
from reportgen.reports.owner_notes import OwnerNote


@dataclass(frozen=True)
class Exception_:
    """One exception measure: its indicator id, title, issue words and owner's short name."""

    measure: str
    title: str
    issue: str  # "Off track", "SPC: special-cause concern", "No data for March 2005"
    owner: str


def _missing(owner: str) -> str:
    return f"No commentary received from {owner or 'the owner'}"


def decisions_section(exceptions: list[Exception_], notes: dict[str, OwnerNote], period_label: str) -> Section:
    """'Decisions for the board', first on the summary page: each decision asked (with its
    recovery date), then the exceptions whose owners asked for none or sent nothing."""
    asked, noted, silent = [], [], []
    seen: set[str] = set()
    for e in exceptions:
        if e.measure in seen:
            continue
        seen.add(e.measure)
        note = notes.get(e.measure)
        if note is None:
            silent.append(f"**{e.title}** ({e.owner}, {e.issue.lower()}): {_missing(e.owner).lower()}.")
        elif note.decision:
            asked.append(
                f"**{e.title}** ({e.owner}, {e.issue.lower()}): {note.decision.rstrip('.')}. "
                f"Expected back on track by {note.recovery}."
            )
        else:
            noted.append(f"**{e.title}** ({e.owner}): for noting; expected back on track by {note.recovery}.")
    blocks: list[Block] = []
    if asked:
        blocks.append(BulletList(tuple(asked)))
    else:
        blocks.append(Paragraph(f"No decision is asked of the board for {period_label}."))
    if noted or silent:
        blocks.append(BulletList(tuple(noted + silent)))
    return Section("Decisions for the board", tuple(blocks), level=2, id="decisions")


def commentary_section(exceptions: list[Exception_], notes: dict[str, OwnerNote], period_key: str) -> Section:
    """Each exception's owner's commentary: cause, action, recovery date, decision asked."""
    subs: list[Block] = [
        Paragraph(
            "What each measure's owner says about it: the cause, what is being done, when it is expected "
            "back on track and the decision asked of the board."
        )
    ]
    seen: set[str] = set()
    for e in exceptions:
        if e.measure in seen:
            continue
        seen.add(e.measure)
        note = notes.get(e.measure)
        title = f"{e.title} ({e.owner})"
        if note is None:
            body: tuple[Block, ...] = (
                Callout(
                    _missing(e.owner),
                    f"The cause, action, recovery date and decision asked were due in "
                    f"commentary/{period_key}/{e.measure}.md.",
                    "warning",
                ),
            )
        else:
            body = (
                DefinitionList(
                    (
                        ("Cause", note.cause),
                        ("Action", note.action),
                        ("Recovery date", note.recovery),
                        ("Decision asked", note.decision or "No decision: for noting."),
                    )
                ),
            )
        subs.append(Section(title, body, level=2, id=f"commentary-{e.measure.replace('_', '-')}"))
    return Section("Owners' commentary on the exceptions", tuple(subs), id="owners-commentary")
