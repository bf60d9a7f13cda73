"""Download: the evaluated summary (xlsx, csv) and the scorecard itself (JSON)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from kpilogic.present.report import checkins_csv, summary_csv
from ui.cache import evaluation, report_file
from ui.digest import digest_panel
from ui.routing import route_guard
from ui.session import slug, workspace_checkins
from ui.text import lang, tr, tr_plain
from ui.widgets import notice, require_data, require_kpis, require_scorecard

route_guard()

card = require_scorecard()
st.title(tr("download.title"))
notice()
st.write(tr("download.intro"))
stem = f"{slug(card.name)}_{date.today().isoformat()}"

st.subheader(tr("download.scorecard"))
st.caption(tr("download.scorecard_help"))
st.download_button(
    tr("download.json"),
    data=card.to_json().encode("utf-8"),
    file_name=f"{stem}_scorecard.json",
    mime="application/json",
    icon="🧭",
    key="dl_json",
)

require_data(card)
require_kpis(card)
ev, _ = evaluation(card)
checkins = [kept.checkin for kept in workspace_checkins()]
st.subheader(tr("download.summary"))
st.caption(tr("download.summary_help", rows=len(ev.detail), kpis=len(card.kpis) - len(ev.errors)))
cols = st.columns(3)
with st.spinner(tr("download.preparing")):
    xlsx, pdf = report_file("xlsx", card, ev, checkins), report_file("pdf", card, ev)
cols[0].download_button(
    tr("download.xlsx"),
    data=xlsx,
    file_name=f"{stem}_{tr_plain('words.file.report')}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon="📗",
    key="dl_xlsx",
)
cols[1].download_button(
    tr("download.csv"),
    data=summary_csv(ev, lang(), readable=True),
    file_name=f"{stem}_{tr_plain('words.file.overview')}.csv",
    mime="text/csv",
    icon="📄",
    key="dl_csv",
)
cols[2].download_button(
    tr("download.pdf"),
    data=pdf,
    file_name=f"{stem}_{tr_plain('words.file.summary')}.pdf",
    mime="application/pdf",
    icon="📕",
    key="dl_pdf",
)
st.caption(
    tr("download.csv_note")
    + " "
    + tr("trust.download.csv_precision")
    + " "
    + tr("download.csv_language_note")
)

st.subheader(tr("review.download.title"))
st.caption(tr("review.download.help", count=len(checkins)))
st.download_button(
    tr("review.download.csv"),
    data=checkins_csv(ev, checkins, lang()),
    file_name=f"{stem}_checkins.csv",
    mime="text/csv",
    icon="🗓️",
    key="dl_checkins",
)

digest_panel(ev)
