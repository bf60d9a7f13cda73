"""The digest: an e-mail that tells people where they stand, without opening the app.

``build_digest`` turns an evaluation into the message for one reader, in their language:
each goal's progress and forecast at its deadline (``engine.progress``, with the "why" of
``engine.shortfall``), what needs attention with its owner and agreed action, the top
insights (``engine.insights``), and the values due from their owners. A reminder for one KPI
owner (``owner=``) lists only that owner's due and late values first. ``to_message`` makes a
MIME e-mail of it: plain text, the same as HTML, and the one-page PDF attached.

A value is *due* for every completed period of the KPI's cadence since its last value (the
latest completed one is the period before the one holding the as-of date); it is *late* when
its period ended more than ``LATE_AFTER_DAYS`` days ago. Every text from the scorecard
(names, owners, actions) is escaped in the HTML part.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pandas as pd

from kpilogic.engine.evaluate import Evaluation
from kpilogic.engine.insights import insight_text, insights
from kpilogic.engine.progress import SEVERITY, goal_progress, progress_text
from kpilogic.engine.review import latest_completed_period
from kpilogic.engine.shortfall import shortfall, shortfall_text
from kpilogic.i18n import format_date, format_period, t
from kpilogic.present.report import KpiLine, attention_order, kpi_lines, value_vs_target
from kpilogic.scorecard.explain import status_label
from kpilogic.scorecard.model import KPI, Scorecard
from kpilogic.scorecard.periods import Period

LATE_AFTER_DAYS = 14  # a value is late two weeks after its period ended
MAX_DUE_PERIODS = 12  # a KPI's gap listed at most this far back
DIGEST_INSIGHTS = 3


@dataclass(frozen=True)
class DueValue:
    """A KPI value its owner still has to deliver."""

    kpi: KPI
    period: str  # the period's label, e.g. "2026-05"
    period_end: date
    late: bool


@dataclass(frozen=True)
class Section:
    """A heading and its lines (plain text; the HTML part escapes them)."""

    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Digest:
    """One reader's digest: subject, sections, and the PDF to attach."""

    subject: str
    title: str
    sections: tuple[Section, ...]
    lang: str
    pdf: bytes | None
    pdf_name: str

    @property
    def text(self) -> str:
        """The plain-text body."""
        parts = [self.title, "=" * len(self.title), ""]
        for section in self.sections:
            parts += [section.heading, "-" * len(section.heading)]
            parts += [f"- {line}" for line in section.lines]
            parts.append("")
        parts.append(t("digest.footer", self.lang))
        return "\n".join(parts) + "\n"

    @property
    def html(self) -> str:
        """The HTML body: the same text, every value escaped."""
        out = [
            "<!doctype html>",
            f'<html lang="{self.lang}"><body style="font-family:Arial,sans-serif;'
            'color:#1f2937;max-width:640px">',
            f'<h1 style="font-size:20px">{html.escape(self.title)}</h1>',
        ]
        for section in self.sections:
            out.append(f'<h2 style="font-size:16px">{html.escape(section.heading)}</h2><ul>')
            out += [f"<li>{html.escape(line)}</li>" for line in section.lines]
            out.append("</ul>")
        out.append(f'<p style="color:#6b7280">{html.escape(t("digest.footer", self.lang))}</p>')
        out.append("</body></html>")
        return "\n".join(out) + "\n"


def due_values(evaluation: Evaluation, as_of: date) -> list[DueValue]:
    """Per KPI (scorecard order), every completed period since its last value that has no
    value (at most ``MAX_DUE_PERIODS``, oldest first); for a KPI without any value, its
    latest completed period."""
    card = evaluation.scorecard
    detail = evaluation.detail
    out: list[DueValue] = []
    for kpi in card.kpis:
        latest = latest_completed_period(kpi.cadence, as_of, card.fiscal_year_start_month)
        if kpi.id in evaluation.errors:
            empty = evaluation.errors[kpi.id].key in _NO_ROWS_YET
            if empty and _kept_in_koers(card, kpi):  # a table typed in Koers, still empty
                late = (as_of - latest.end).days > LATE_AFTER_DAYS
                out.append(DueValue(kpi, latest.label, latest.end, late))
            continue
        rows = detail[(detail["kpi_id"] == kpi.id) & (detail["segment"].fillna("") == "")]
        filled = pd.notna(rows["actual"])
        if _kept_in_koers(card, kpi):
            # A table typed in Koers: a period with a row still lacking this KPI's value is
            # not in yet (the total of the regions entered so far is not the total).
            filled &= rows["incomplete_rows"].fillna(0) == 0
        with_value = set(rows.loc[filled, "period"])
        missing: list[Period] = []
        period = latest
        while period.label not in with_value and len(missing) < MAX_DUE_PERIODS:
            missing.append(period)
            if not with_value:
                break  # no value at all: only the latest period is asked for
            period = period.previous()
        for gap in reversed(missing):
            late = (as_of - gap.end).days > LATE_AFTER_DAYS
            out.append(DueValue(kpi, gap.label, gap.end, late))
    return out


# A table kept in Koers without a row yet (no file, or a header only) evaluates to these.
_NO_ROWS_YET = ("error.data.no_dates", "error.data.dataset_missing")


def _kept_in_koers(card: Scorecard, kpi: KPI) -> bool:
    return any(ds.id == kpi.dataset_id and ds.manual is not None for ds in card.datasets)


def _due_line(due: DueValue, lang: str) -> str:
    key = "digest.due.late" if due.late else "digest.due.line"
    owner = due.kpi.owner or t("digest.no_owner", lang)
    period = format_period(due.period, lang)
    return t(key, lang, kpi=due.kpi.name, period=period, owner=owner)


def _goal_lines(evaluation: Evaluation, lang: str, as_of: date) -> list[str]:
    card = evaluation.scorecard
    goals = [g for g in goal_progress(evaluation, as_of) if g.deadline is not None]
    goals.sort(key=lambda g: -SEVERITY[g.status])
    lines = []
    for goal in goals:
        said = progress_text(goal, card, lang)
        deciding = max(goal.kpis, key=lambda k: SEVERITY[k.status], default=None)
        why = shortfall(evaluation, deciding) if deciding is not None else None
        if why is not None:
            said = f"{said} {shortfall_text(why, card, lang)}"
        lines.append(f"{goal.title} — {said}")
    return lines


def _judged(evaluation: Evaluation, line: KpiLine) -> KpiLine:
    """``line``, or — when its latest period is too early or still running to be judged —
    the period before it, so a digest sent on the 1st speaks of the month that just ended."""
    if line.row is None or line.status not in ("too_early", "in_progress"):
        return line
    before = pd.Timestamp(line.row["period_start"]).date() - timedelta(days=1)
    row = evaluation.latest(line.kpi.id, before)
    if row is None:
        return line
    return dataclasses.replace(line, row=row, status=row["status"])


def _attention_lines(evaluation: Evaluation, lang: str) -> list[str]:
    card = evaluation.scorecard
    lines = []
    judged = [_judged(evaluation, line) for line in kpi_lines(evaluation)]
    for line in attention_order(judged):
        if line.status not in ("off_track", "at_risk"):
            continue
        text = t(
            "digest.attention.line",
            lang,
            kpi=line.kpi.name,
            period=format_period(str(line.row["period"]), lang) if line.row is not None else "",
            status=status_label(line.status, lang),
            values=value_vs_target(line, lang, card.currency),
            owner=line.kpi.owner or t("digest.no_owner", lang),
        )
        action = line.kpi.action.strip()
        text += " " + (
            t("digest.attention.action", lang, action=action)
            if action
            else t("digest.attention.no_action", lang)
        )
        lines.append(text)
    return lines


def _same_owner(a: str, b: str) -> bool:
    return re.sub(r"\s+", " ", a).strip().casefold() == re.sub(r"\s+", " ", b).strip().casefold()


def build_digest(
    evaluation: Evaluation,
    lang: str,
    as_of: date | None = None,
    *,
    owner: str | None = None,
    with_pdf: bool = True,
    entry_url: str | None = None,
) -> Digest:
    """The digest of ``evaluation`` as of ``as_of`` (default: the evaluation's date) in
    ``lang``; ``owner``: the reminder for that KPI owner (their due values first), with
    ``entry_url`` (the app's "Mijn KPI's" page) as where to enter them."""
    card = evaluation.scorecard
    day = as_of or evaluation.as_of or date.today()
    sections: list[Section] = []
    due = due_values(evaluation, day)
    if owner is not None:
        mine = [d for d in due if _same_owner(d.kpi.owner, owner)]
        lines = [_due_line(d, lang) for d in mine] or [t("digest.mine.none", lang)]
        if mine and entry_url:
            lines.append(t("digest.mine.enter", lang, url=entry_url))
        sections.append(Section(t("digest.mine.heading", lang, owner=owner), tuple(lines)))
    goals = _goal_lines(evaluation, lang, day)
    if goals:
        sections.append(Section(t("digest.goals.heading", lang), tuple(goals)))
    attention = _attention_lines(evaluation, lang) or [t("digest.attention.none", lang)]
    sections.append(Section(t("digest.attention.heading", lang), tuple(attention)))
    found = insights(evaluation, limit=DIGEST_INSIGHTS)
    if found:
        said = tuple(insight_text(i, card, lang) for i in found)
        sections.append(Section(t("digest.insights.heading", lang), said))
    others = [d for d in due if owner is None or not _same_owner(d.kpi.owner, owner)]
    if others:
        said_due = tuple(_due_line(d, lang) for d in others)
        sections.append(Section(t("digest.due.heading", lang), said_due))
    on_course = sum(
        1 for g in goal_progress(evaluation, day) if g.status in ("on_course", "reached")
    )
    with_deadline = sum(1 for g in card.goals if g.deadline is not None)
    subject = t(
        "digest.subject" if with_deadline else "digest.subject_no_deadline",
        lang,
        name=card.name,
        date=format_date(day, lang),
        on_course=on_course,
        goals=with_deadline,
    )
    subject = " ".join(subject.split())  # a header is one line, whatever the name holds
    title = t("digest.title", lang, name=card.name, date=format_date(day, lang))
    pdf = None
    if with_pdf:
        from kpilogic.present.report_pdf import report_pdf

        pdf = report_pdf(evaluation, lang)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", card.name).strip("_") or "koers"
    return Digest(subject, title, tuple(sections), lang, pdf, f"{name}_{day.isoformat()}.pdf")


def to_message(digest: Digest, sender: str, to: Sequence[str]) -> EmailMessage:
    """The digest as an e-mail: plain text and HTML alternatives, the PDF attached."""
    message = EmailMessage()
    message["Subject"] = digest.subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="koers.local")
    message.set_content(digest.text)
    message.add_alternative(digest.html, subtype="html")
    if digest.pdf is not None:
        message.add_attachment(
            digest.pdf, maintype="application", subtype="pdf", filename=digest.pdf_name
        )
    message["Content-Language"] = digest.lang  # after the parts: set_content clears Content-*
    return message
