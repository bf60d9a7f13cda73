"""The KPI page's app-owned session state: the draft, the goal shown, the KPI awaiting
"yes, delete", and when the form's widgets must be redrawn from the draft.

Widget keys (``kpi_…``) only mirror the draft; forgetting them redraws the form from it.
"""

from __future__ import annotations

import streamlit as st

from kpilogic.scorecard.model import KPI
from ui.kpi_form.draft import KpiDraft
from ui.session import scorecard

DRAFT = "koers_kpi_draft"  # the KPI being written: a KpiDraft
GOAL = "koers_kpi_goal"  # the goal whose KPIs are shown
CONFIRM = "koers_kpi_confirm_delete"  # id of the KPI awaiting "yes, delete"
FORM_LANG = "koers_kpi_form_lang"  # the language the form's widgets were last drawn in
RESET = "koers_kpi_reset"  # set when the form's widgets must be redrawn from the draft
TPL = "koers_kpi_tpl"  # the template picker's choices: category, template, dataset, columns
FILTER_CHOICES = "koers_kpi_filter_choices"  # per column: (the table, its distinct values)
KEEP_WIDGETS = ("kpi_goal", "kpi_edit_", "kpi_delete_")  # widget keys not part of the form
# The draft kept in the store (``ui.kpi_form.keep``):
PRISTINE = "koers_kpi_draft_pristine"  # its JSON when the form was (re)started: kept once changed
STORED = "koers_kpi_draft_stored"  # the JSON last written or read (None: nothing is stored)
BASE = "koers_kpi_draft_base"  # the KPI as its edit started (JSON), to see a save by someone else
RESTORED = "koers_kpi_draft_restored"  # the notice of a draft brought back from the store


def current_draft() -> KpiDraft | None:
    """The draft in the session (None when there is none)."""
    draft = st.session_state.get(DRAFT)
    return draft if isinstance(draft, KpiDraft) else None


def ensure_draft(dataset_id: str) -> KpiDraft:
    """The draft in the session; a new, empty one on ``dataset_id`` when there is none."""
    draft = current_draft()
    if draft is None:
        draft = st.session_state[DRAFT] = KpiDraft(dataset_id=dataset_id)
        _started(None)
    return draft


def _started(kpi: KPI | None) -> None:
    """A draft was (re)started, empty or from ``kpi``: it is kept in the store once changed."""
    ss = st.session_state
    ss.pop(PRISTINE, None)
    ss.pop(RESTORED, None)
    if kpi is None:
        ss.pop(BASE, None)
    else:
        ss[BASE] = kpi.model_dump(mode="json")


def fresh_draft(dataset_id: str) -> None:
    """After saving: an empty draft on ``dataset_id``, the widgets redrawn from it."""
    replace_draft(KpiDraft(dataset_id=dataset_id))
    _started(None)


def replace_draft(draft: KpiDraft) -> None:
    """Write ``draft`` and redraw the form's widgets from it on the next run."""
    st.session_state[DRAFT] = draft
    st.session_state[RESET] = True


def clear_widgets() -> None:
    """Forget the form's widget state, so the widgets show the (new) draft."""
    for key in list(st.session_state.keys()):
        if str(key).startswith("kpi_") and not str(key).startswith(KEEP_WIDGETS):
            del st.session_state[key]


def redraw_if_needed(lang: str) -> None:
    """Before any widget is drawn: forget the form's widget state when asked to (after
    saving) or after a language switch (a choice widget remembers its option by its label,
    so the browser would send a label of the old language, which Streamlit resets)."""
    if st.session_state.pop(RESET, False) or st.session_state.get(FORM_LANG) != lang:
        clear_widgets()
        st.session_state[FORM_LANG] = lang


def new_draft() -> None:
    """Callback: an empty draft on the scorecard's first dataset."""
    card = scorecard()
    first = card.datasets[0].id if card is not None and card.datasets else ""
    st.session_state[DRAFT] = KpiDraft(dataset_id=first)
    _started(None)
    clear_widgets()


def start_edit(kpi: KPI) -> None:
    """Callback: edit ``kpi`` in the form."""
    st.session_state[DRAFT] = KpiDraft.of(kpi)
    _started(kpi)
    st.session_state.pop(CONFIRM, None)
    clear_widgets()
