"""The one-page management summary as a PDF (A4 landscape), made without a browser.

What a board member reads in a minute: the scorecard's name and period, the status of every
goal and KPI, the three charts that matter most (off-course KPIs first) and the list of what
needs attention with its owner and agreed action. The charts are the app's own Altair charts
(``kpilogic.present.charts``) rendered to PNG by vl-convert; the page is laid out with reportlab.

The PDF uses the standard PDF fonts (Helvetica, ZapfDingbats), which need no font files and
cover Dutch and English text, € and –, but no emoji: a status is shown as a coloured dot and
its word, and characters the fonts lack are left out rather than drawn as boxes.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
import vl_convert as vlc
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from kpilogic.engine.evaluate import Evaluation
from kpilogic.i18n import format_date, format_number, normalise_lang, t, with_percent
from kpilogic.present.charts import actual_vs_target_chart
from kpilogic.present.report import KpiLine, attention_order, kpi_lines, value_vs_target
from kpilogic.scorecard.explain import status_label
from kpilogic.scorecard.status import STATUSES, STYLES, Status

PAGE_W, PAGE_H = landscape(A4)
MARGIN = 28.0
CHART_COUNT = 3
CHART_PERIODS = 12  # one year of months on a summary page; the workbook has them all
ATTENTION: tuple[Status, ...] = ("off_track", "at_risk", "no_data")

_INK = colors.HexColor("#1A1A1A")
_GREY = colors.HexColor("#5A5A5A")
_RULE = colors.HexColor("#C8CDD5")
_HEADING = colors.HexColor("#1F3864")
_KEEP = set("≥≤≠±×÷−")
_STEP_GOAL, _STEP_KPI = 14.5, 10.5  # line heights in the status list
CHARTS_MIN_H, CHARTS_MAX_H = (
    185.0,
    250.0,
)  # the chart band takes what the lists leave  # drawn from the Symbol font by reportlab


def pdf_text(value: Any) -> str:
    """``value`` as text the standard PDF fonts can draw: emoji and other symbols removed."""
    out = []
    for ch in str(value):
        if ch in _KEEP:
            out.append(ch)
            continue
        try:
            ch.encode("cp1252")
        except UnicodeEncodeError:
            if unicodedata.category(ch) in ("So", "Sk", "Mn", "Cf", "Cs", "Co"):
                continue  # emoji, variation selectors, joiners: no glyph, no meaning lost
            out.append("?")
            continue
        out.append(ch)
    return "".join(out).strip()


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so it fits in ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _dot(c: Canvas, x: float, y: float, status: Status, r: float = 3.2) -> None:
    c.setFillColor(colors.HexColor(STYLES[status].color))
    c.setStrokeColor(colors.white)
    c.circle(x, y, r, stroke=0, fill=1)


def _dot_markup(status: Status) -> str:
    # A filled circle (U+25CF) from ZapfDingbats: a coloured dot inside a Paragraph.
    return f'<font name="ZapfDingbats" color="{STYLES[status].color}">\u25cf</font>'


def chart_png(
    evaluation: Evaluation,
    line: KpiLine,
    lang: str,
    width: int = 330,
    height: int = 150,
    scale: float = 3.0,
) -> bytes | None:
    """The KPI's actual-vs-target chart (last ``CHART_PERIODS`` periods) as a PNG.

    Uses ``charts.actual_vs_target_chart`` unchanged apart from its size, without the status
    legend (the page has its own) and with axis labels that never overlap. None when the KPI
    has no periods.
    """
    rows = evaluation.kpi_rows(line.kpi.id).tail(CHART_PERIODS)
    if rows.empty:
        return None
    chart = actual_vs_target_chart(rows, line.kpi, lang, evaluation.scorecard.currency)
    spec: dict[str, Any] = chart.properties(width=width, height=height).to_dict()
    for layer in spec.get("layer", []):
        for channel in layer.get("encoding", {}).values():
            if isinstance(channel, dict) and "legend" in channel:
                channel["legend"] = None  # the page explains the colours once, as words
    config = spec.setdefault("config", {})
    config["axis"] = {"labelFontSize": 10, "titleFontSize": 10, "labelOverlap": "greedy"}
    # A tick every few months, so a short or long history never repeats or crowds labels.
    starts = pd.to_datetime(rows["period_start"])
    span = (starts.max().year - starts.min().year) * 12 + starts.max().month - starts.min().month
    step = max(1, math.ceil((span + 1) / 6))
    config["axisX"] = {
        "labelSeparation": 6,
        "title": None,
        "tickCount": {"interval": "month", "step": step},
    }
    config["title"] = {"fontSize": 12, "anchor": "start", "limit": width}
    png: bytes = vlc.vegalite_to_png(spec, scale=scale)
    return png


def _charts_to_show(evaluation: Evaluation, lines: list[KpiLine]) -> list[KpiLine]:
    """The KPIs whose charts matter most: worst status first, only KPIs with data."""
    ordered = [ln for ln in attention_order(lines) if ln.row is not None and ln.problem is None]
    with_data = [ln for ln in ordered if ln.status != "no_data"]
    return with_data[:CHART_COUNT]


class _Page:
    """Draws the summary onto one canvas; each section gets a box and stays inside it."""

    def __init__(self, c: Canvas, evaluation: Evaluation, lang: str, created: datetime) -> None:
        self.c = c
        self.ev = evaluation
        self.lang = lang
        self.created = created
        self.cur = evaluation.scorecard.currency
        self.lines = kpi_lines(evaluation)

    # -- helpers ---------------------------------------------------------------------------
    def text(
        self,
        x: float,
        y: float,
        value: str,
        size: float = 8.0,
        font: str = "Helvetica",
        color: colors.Color = _INK,
        width: float | None = None,
        align: str = "left",
    ) -> None:
        shown = pdf_text(value)
        if width is not None:
            shown = _fit(shown, font, size, width)
        self.c.setFont(font, size)
        self.c.setFillColor(color)
        if align == "right":
            self.c.drawRightString(x, y, shown)
        else:
            self.c.drawString(x, y, shown)

    def heading(self, x: float, y: float, value: str) -> None:
        self.text(x, y, value, size=10.5, font="Helvetica-Bold", color=_HEADING)

    # -- sections --------------------------------------------------------------------------
    def header(self) -> float:
        """Name, period and the status counts; returns the y below the header."""
        ev, lang = self.ev, self.lang
        top = PAGE_H - MARGIN
        right = PAGE_W - MARGIN
        self.text(MARGIN, top - 16, ev.scorecard.name, 18, "Helvetica-Bold", width=470)
        subtitle = t(
            "report.subtitle",
            lang,
            as_of=format_date(ev.as_of or ev.data_end, lang),
            data_end=format_date(ev.data_end, lang),
            created=format_date(self.created, lang),
        )
        self.text(
            MARGIN,
            top - 31,
            f"{t('report.pdf.title', lang)} · {subtitle}",
            8.5,
            color=_GREY,
            width=500,
        )
        # Status counts at the right: how many KPIs in each state.
        counts = {s: sum(ln.status == s for ln in self.lines) for s in STATUSES}
        x = right
        for status in reversed(STATUSES):
            if not counts[status]:
                continue
            label = f"{counts[status]} {status_label(status, lang).lower()}"
            w = stringWidth(pdf_text(label), "Helvetica-Bold", 9)
            self.text(x, top - 16, label, 9, "Helvetica-Bold", align="right")
            _dot(self.c, x - w - 7, top - 13, status, 4)
            x -= w + 22
        self.c.setStrokeColor(_RULE)
        self.c.setLineWidth(0.8)
        self.c.line(MARGIN, top - 40, right, top - 40)
        return top - 40

    def _status_rows(self) -> list[tuple[str, Any]]:
        rollups = {g.goal_id: g for g in self.ev.goal_statuses(self.ev.as_of)}
        rows: list[tuple[str, Any]] = []
        for goal in self.ev.scorecard.goals:
            rows.append(("goal", (goal, rollups[goal.id].status)))
            rows.extend(("kpi", ln) for ln in self.lines if ln.goal.id == goal.id)
        return rows

    def status_height(self) -> float:
        """The height the status list needs to show every goal and KPI."""
        steps = [_STEP_GOAL if kind == "goal" else _STEP_KPI for kind, _ in self._status_rows()]
        return 41 + sum(steps) + 2

    def status_list(self, x: float, top: float, width: float, bottom: float) -> None:
        """Every goal with its KPIs: dot, name, status word and % of target."""
        lang = self.lang
        self.heading(x, top - 14, t("report.pdf.status", lang))
        pct_x = x + width
        word_x = pct_x - 68
        y = top - 30
        self.text(
            pct_x, y + 1, t("report.col.pct_of_target", lang), 6.5, color=_GREY, align="right"
        )
        y -= 11
        rows = self._status_rows()
        heights = [_STEP_GOAL if kind == "goal" else _STEP_KPI for kind, _ in rows]
        last_baseline = y - sum(heights[:-1]) - (2 if rows and rows[-1][0] == "goal" else 0)
        fits_all = last_baseline - 4 >= bottom
        for i, (kind, item) in enumerate(rows):
            if not fits_all and y - 16 < bottom:
                rest = sum(1 for k, _ in rows[i:] if k == "kpi")
                self.text(x, y, t("report.pdf.more", lang, count=rest), 7, color=_GREY)
                break
            if kind == "goal":
                goal, status = item
                gy = y - 2  # a little air above each goal
                _dot(self.c, x + 4, gy + 2.6, status, 3.6)
                self.text(x + 12, gy, goal.title, 8.2, "Helvetica-Bold", width=word_x - x - 18)
                self.text(word_x, gy, status_label(status, lang), 8, "Helvetica-Bold")
            else:
                line: KpiLine = item
                _dot(self.c, x + 16, y + 2.5, line.status, 2.8)
                self.text(x + 23, y, line.kpi.name, 7.8, width=word_x - x - 28)
                self.text(word_x, y, status_label(line.status, lang), 7.8)
                pct = line.number("pct_of_target")
                pct_text = "–" if pct is None else with_percent(format_number(pct, lang, 0), lang)
                self.text(pct_x, y, pct_text, 7.8, align="right")
            y -= heights[i]

    def _attention_rows(self, width: float) -> tuple[list[list[Paragraph]], list[float]]:
        """The header and one row per KPI that needs attention, and the column widths."""
        lang = self.lang
        body = ParagraphStyle(
            "body", fontName="Helvetica", fontSize=7.3, leading=8.6, textColor=_INK
        )
        bold = ParagraphStyle("bold", parent=body, fontName="Helvetica-Bold")
        head = ParagraphStyle(
            "head", parent=body, fontName="Helvetica-Bold", textColor=_GREY, fontSize=6.8
        )

        def para(value: str, style: ParagraphStyle = body) -> Paragraph:
            return Paragraph(escape(pdf_text(value)), style)

        vs = t(
            "report.pdf.value_vs_target",
            lang,
            value=t("report.col.actual", lang),
            target=t("report.col.target", lang).lower(),
        )
        rows = [
            [
                para(t("report.col.kpi", lang), head),
                para(t("report.col.status", lang), head),
                para(vs, head),
                para(t("report.col.owner", lang), head),
                para(t("report.col.action", lang), head),
            ]
        ]
        for ln in attention_order(self.lines):
            if ln.status not in ATTENTION:
                continue
            status_text = f"{_dot_markup(ln.status)} {escape(status_label(ln.status, lang))}"
            if ln.problem is not None:
                value = t("report.not_evaluated", lang, detail=ln.problem.message(lang))
            else:
                value = value_vs_target(ln, lang, self.cur)
            rows.append(
                [
                    para(ln.kpi.name, bold),
                    Paragraph(status_text, body),
                    para(value),
                    para(ln.kpi.owner or "–"),
                    para(ln.kpi.action or "–"),
                ]
            )
        widths = [w * width for w in (0.22, 0.12, 0.22, 0.15, 0.29)]
        return rows, widths

    def attention_height(self, width: float) -> float:
        """The height the needs-attention list needs to show every row."""
        rows, widths = self._attention_rows(width)
        if len(rows) == 1:
            return 40.0
        _, h = self._attention_table(rows, widths).wrapOn(self.c, width, PAGE_H)
        return 22 + h

    def attention(self, x: float, top: float, width: float, bottom: float) -> None:
        """The KPIs off track, at risk or without data: value vs target, owner, action."""
        lang = self.lang
        self.heading(x, top - 14, t("report.pdf.attention", lang))
        rows, widths = self._attention_rows(width)
        header, data = rows[0], rows[1:]
        if not data:
            self.text(x, top - 32, t("report.pdf.attention_none", lang), 8.5, color=_GREY)
            return
        available = top - 22 - bottom
        shown = len(data)
        while True:
            table = self._attention_table([header, *data[:shown]], widths)
            _, h = table.wrapOn(self.c, width, available)
            more = len(data) - shown
            if h + (10 if more else 0) <= available or shown == 1:
                break
            shown -= 1
        table.drawOn(self.c, x, top - 22 - h)
        if len(data) > shown:
            more_text = t("report.pdf.more", lang, count=len(data) - shown)
            self.text(x, top - 22 - h - 9, more_text, 7, color=_GREY)

    @staticmethod
    def _attention_table(rows: list[list[Paragraph]], widths: Sequence[float]) -> Table:
        table = Table(rows, colWidths=list(widths))
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, _HEADING),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.4, _RULE),
                ]
            )
        )
        return table

    def charts(self, top: float, bottom: float) -> None:
        """The three charts that matter most, side by side, each with its status line."""
        lang = self.lang
        self.heading(MARGIN, top - 14, t("report.pdf.charts", lang))
        legend = t("report.pdf.legend", lang)
        self.text(PAGE_W - MARGIN, top - 14, legend, 7, color=_GREY, align="right", width=560)
        chosen = _charts_to_show(self.ev, self.lines)
        if not chosen:
            self.text(MARGIN, top - 32, t("report.pdf.no_charts", lang), 8.5, color=_GREY)
            return
        gap = 14.0
        slot_w = (PAGE_W - 2 * MARGIN - gap * (CHART_COUNT - 1)) / CHART_COUNT
        img_top = top - 22
        caption_h = 12.0
        img_h_max = img_top - bottom - caption_h
        # Vega's width and height are the plot's; title and axes take about 70 px more.
        px_h = int(max(100, min(230, 400 * img_h_max / slot_w - 70)))
        images: list[tuple[KpiLine, ImageReader]] = []
        for line in chosen:
            png = chart_png(self.ev, line, lang, width=330, height=px_h)
            if png is not None:
                images.append((line, ImageReader(io.BytesIO(png))))
        if not images:
            return
        # One height for all three, so titles, plots and captions line up.
        h = min(
            min(slot_w / r.getSize()[0], img_h_max / r.getSize()[1]) * r.getSize()[1]
            for _, r in images
        )
        for i, (line, image) in enumerate(images):
            x = MARGIN + i * (slot_w + gap)
            iw, ih = image.getSize()
            w = iw * h / ih
            self.c.drawImage(image, x, img_top - h, width=w, height=h, mask="auto")
            y = img_top - h - caption_h + 1
            _dot(self.c, x + 4, y + 2.6, line.status, 3.2)
            label = status_label(line.status, lang)
            self.text(x + 11, y, label, 7.6, "Helvetica-Bold")
            lw = stringWidth(pdf_text(label), "Helvetica-Bold", 7.6)
            value = value_vs_target(line, lang, self.cur)
            self.text(x + 15 + lw, y, f"· {value}", 7.6, width=slot_w - lw - 18)

    def footer(self) -> None:
        text = t(
            "report.pdf.footer",
            self.lang,
            name=self.ev.scorecard.name,
            created=format_date(self.created, self.lang),
        )
        self.text(MARGIN, MARGIN - 12, text, 6.8, color=_GREY, width=PAGE_W - 2 * MARGIN)


def report_pdf(evaluation: Evaluation, lang: str = "en", created: datetime | None = None) -> bytes:
    """The one-page management summary (A4 landscape) in ``lang`` as PDF bytes.

    ``created`` is the moment shown as the report's date (default: now).
    """
    lang = normalise_lang(lang)
    created = created or datetime.now().replace(microsecond=0)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=True)
    title = f"{evaluation.scorecard.name} — {t('report.pdf.title', lang)}"
    c.setTitle(pdf_text(title))
    c.setAuthor("Koers")
    c.setSubject(t("report.pdf.title", lang))
    c.setCreator("Koers")
    page = _Page(c, evaluation, lang, created)
    below_header = page.header()
    left_w = 300.0
    right_x = MARGIN + left_w + 22
    right_w = PAGE_W - MARGIN - right_x
    top_insights = pdf_insights(page, right_w)  # the top insights above the attention list
    ins_h = insights_height(page, top_insights)
    progress_h = _goal_progress_height(page, right_w)  # the goals' progress above them
    lists_h = max(page.status_height(), progress_h + ins_h + page.attention_height(right_w)) + 8
    charts_h = min(CHARTS_MAX_H, max(CHARTS_MIN_H, below_header - MARGIN - lists_h))
    # Lists first, charts right below them; any room to spare stays at the bottom.
    split = max(MARGIN + charts_h, below_header - lists_h)
    page.status_list(MARGIN, below_header, left_w, split)
    _goal_progress_band(page, right_x, below_header, right_w)
    draw_insights(page, top_insights, right_x, below_header - progress_h)
    page.attention(right_x, below_header - progress_h - ins_h, right_w, split)
    c.setStrokeColor(_RULE)
    c.setLineWidth(0.5)
    c.line(MARGIN, split, PAGE_W - MARGIN, split)
    page.charts(split, split - charts_h)
    page.footer()
    c.showPage()
    c.save()
    return buf.getvalue()


# -- the top insights (kpilogic.engine.insights) ----------------------------------------

PDF_INSIGHTS = 3  # a board member reads three; the workbook's Insights sheet has more
_INSIGHT_GAP = 2.5


def pdf_insights(page: _Page, width: float) -> list[Paragraph]:
    """The top ``PDF_INSIGHTS`` insights as wrapped paragraphs ``width`` points wide (each
    sentence names its KPI, numbers in the reader's notation); one grey line when none."""
    from kpilogic.engine.insights import insight_text, insights

    body = ParagraphStyle(
        "insight",
        fontName="Helvetica",
        fontSize=7.6,
        leading=9.2,
        textColor=_INK,
        leftIndent=8,
        bulletIndent=0,
    )
    found = insights(page.ev, limit=PDF_INSIGHTS)
    if not found:
        grey = ParagraphStyle("none", parent=body, textColor=_GREY, leftIndent=0)
        none = Paragraph(escape(pdf_text(t("insight.cli.none", page.lang))), grey)
        none.wrap(width, PAGE_H)
        return [none]
    card = page.ev.scorecard
    out = []
    for insight in found:
        # "€ 65,76" stays on one line: a no-break space between the symbol and the amount.
        sentence = insight_text(insight, card, page.lang).replace(
            f"{card.currency} ", f"{card.currency}\u00a0"
        )
        text = escape(pdf_text(sentence))
        out.append(Paragraph(text, body, bulletText="\u2022"))
    for para in out:
        para.wrap(width, PAGE_H)
    return out


def insights_height(page: _Page, paragraphs: Sequence[Paragraph]) -> float:
    """The height of the insights block: heading, paragraphs and a gap below."""
    return 22 + sum(p.height + _INSIGHT_GAP for p in paragraphs) + 8


def draw_insights(page: _Page, paragraphs: Sequence[Paragraph], x: float, top: float) -> None:
    """Draw the insights block with its top at ``top`` (see ``insights_height``)."""
    page.heading(x, top - 14, t("insight.report.pdf_heading", page.lang))
    y = top - 22
    for para in paragraphs:
        y -= para.height
        para.drawOn(page.c, x, y)
        y -= _INSIGHT_GAP


# -- goal progress (issue 14) ----------------------------------------------------------------

PROGRESS_BAND_MAX_H = 150.0  # the goal-progress list's height at most, heading included

_PROGRESS_AS_STATUS: dict[str, Status] = {
    "on_course": "on_track",
    "reached": "on_track",
    "at_risk": "at_risk",
    "off_course": "off_track",
    "missed": "off_track",
    "no_target": "no_target",
    "no_data": "no_data",
}


def _goal_progress_table(page: _Page, width: float) -> tuple[Table | None, int, float]:
    """The goals with a deadline, worst first, as many as fit ``PROGRESS_BAND_MAX_H``: the
    table, how many goals it leaves out and its height."""
    from kpilogic.engine.progress import SEVERITY, goal_progress, progress_text
    from kpilogic.engine.shortfall import shortfall, shortfall_text

    ev, lang = page.ev, page.lang
    goals = [g for g in goal_progress(ev, ev.as_of) if g.deadline is not None]
    goals.sort(key=lambda g: -SEVERITY[g.status])
    if not goals:
        return None, 0, 0.0
    body = ParagraphStyle("pbody", fontName="Helvetica", fontSize=7.3, leading=8.6, textColor=_INK)
    bold = ParagraphStyle("pbold", parent=body, fontName="Helvetica-Bold")
    rows = []
    for goal in goals:
        dot = _dot_markup(_PROGRESS_AS_STATUS[goal.status])
        # The sentence starts with the status in words; the dot gives its colour.
        said = progress_text(goal, ev.scorecard, lang)
        deciding = max(goal.kpis, key=lambda k: SEVERITY[k.status], default=None)
        why = shortfall(ev, deciding) if deciding is not None else None
        if why is not None:  # which segment and which periods are behind
            said = f"{said} {shortfall_text(why, ev.scorecard, lang)}"
        sentence = escape(pdf_text(said))
        rows.append(
            [
                Paragraph(escape(pdf_text(goal.title)), bold),
                Paragraph(f"{dot} {sentence}", body),
            ]
        )
    widths = [w * width for w in (0.3, 0.7)]
    available = PROGRESS_BAND_MAX_H - 22
    shown = len(rows)
    while True:
        table = Table(rows[:shown], colWidths=widths)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.8),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, _RULE),
                ]
            )
        )
        _, h = table.wrapOn(page.c, width, available)
        more = len(rows) - shown
        if h + (10 if more else 0) <= available or shown == 1:
            return table, more, h
        shown -= 1


def _goal_progress_height(page: _Page, width: float) -> float:
    """The height the goal-progress list takes (0 without goals with a deadline)."""
    table, more, h = _goal_progress_table(page, width)
    return 0.0 if table is None else 22 + h + (10 if more else 0) + 8


def _goal_progress_band(page: _Page, x: float, top: float, width: float) -> None:
    """Each goal with a deadline: its status judged on the forecast at the deadline and the
    sentence with the numbers (``kpilogic.engine.progress``); goals that do not fit are counted."""
    table, more, h = _goal_progress_table(page, width)
    if table is None:
        return
    page.heading(x, top - 14, t("progress.pdf.heading", page.lang))
    table.drawOn(page.c, x, top - 20 - h)
    if more:
        text = t("report.pdf.more", page.lang, count=more)
        page.text(x, top - 20 - h - 9, text, 7, color=_GREY)
