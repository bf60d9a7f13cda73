"""The three-pillar health check as a checklist, shared by the KPI, dashboard and goals pages.

This module is not a page; ``app.py`` does not list it. It only renders: the checks
themselves are ``kpilogic.engine.pillars``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import streamlit as st

from kpilogic.engine.evaluate import Evaluation
from kpilogic.engine.pillars import PILLARS, PillarReport, kpi_health, periods_with_data
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import KPI
from kpilogic.scorecard.status import Status
from ui.text import lang, plain_md, tr


def score_text(score: int | None) -> str:
    """A 0–100 score as '83%', or '–' when nothing was checked."""
    return "–" if score is None else f"{score}%"


def pillar_title(pillar: str) -> str:
    """The translated name of a KPI pillar or a goal criterion."""
    if pillar in PILLARS:
        return tr(f"pillars.kpi.pillar.{pillar}")
    return tr(f"pillars.goal.criterion.{pillar}")


def checklist_markdown(report: PillarReport) -> str:
    """The checklist as markdown: per pillar its score, then ✅/❌ lines with advice."""
    L = lang()
    blocks: list[str] = []
    for pillar in report.pillars:
        checks = report.of(pillar)
        if not checks:
            continue
        head = tr(
            "tpl.health.pillar",
            pillar=pillar_title(pillar),
            score=score_text(report.score(pillar)),
        )
        lines = [f"**{plain_md(head)}**", ""]
        for check in checks:
            line = f"- {'✅' if check.passed else '❌'} {plain_md(check.label(L))}"
            advice = check.advice(L)
            if advice:
                line += f"  \n  :gray[{plain_md(advice)}]"
            lines.append(line)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def show_checklist(report: PillarReport, *, overall: bool = True) -> None:
    """Render ``report`` as a checklist per pillar (or goal criterion)."""
    if overall:
        st.caption(tr("tpl.health.overall", score=score_text(report.overall)))
    st.markdown(checklist_markdown(report))


def kpi_report(
    kpi: KPI,
    ev: Evaluation,
    *,
    status: Status | None,
    checkins: Sequence[CheckIn] = (),
    today: date | None = None,
) -> PillarReport:
    """``kpi_health`` of a KPI of an evaluated scorecard: the reliability score when the
    evaluation has one (its quality report, else a ``reliability`` column), the periods
    with data, the latest status and the workspace's check-ins."""
    reliability: int | None = None
    quality = getattr(ev, "quality", None)
    if quality is not None and kpi.id in quality.scores:
        reliability = int(quality.scores[kpi.id])
    elif "reliability" in ev.detail.columns:
        values = ev.kpi_rows(kpi.id)["reliability"].dropna()
        if not values.empty:
            reliability = round(float(values.iloc[-1]))
    periods = None if kpi.id in ev.errors else periods_with_data(ev, kpi.id)
    return kpi_health(
        kpi,
        ev.scorecard,
        reliability=reliability,
        periods_with_data=periods,
        checkins=checkins,
        status=status,
        today=today,
    )


def goal_checklist_line(report: PillarReport) -> str:
    """A goal's checklist in plain words: "✅ Goal well written: specific, measurable and with a
    deadline." or "Goal not yet complete, missing: Owner named; A deadline that has not
    passed." (no criterion scores like "Measurable 1/2"; the advice follows below it)."""
    L = lang()
    failed = [c.label(L) for c in report.checks if not c.passed]
    if not failed:
        return tr("words.goal.all_good")
    return tr("words.goal.missing", checks="; ".join(failed))
