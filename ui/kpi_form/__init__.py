"""The KPI page's form, in sections: each a function taking the draft (``draft.KpiDraft``)
and what it needs, drawn in order by ``pages/kpis.py``.

- ``draft``: the typed draft, made from a KPI and turned back into one (no Streamlit);
- ``state``: where the draft lives in the session, and the form's redraw rules;
- ``keep``: the draft kept in the store, brought back after a reload or a restart;
- ``templates``: the template picker; ``basics``: name and why; ``measure`` (and
  ``filters``): dataset, aggregation or formula, row filters; ``target``: unit, cadence,
  direction, target kind and its fields, tolerance; ``action``: owner, segments, action;
  ``save``: save and cancel; ``preview``: the live preview and checklist;
  ``kpi_list``: the goal's KPIs as cards;
- ``widgets``, ``source``, ``checks``: widgets bound to the draft, the chosen dataset,
  what the draft still lacks.
"""
