"""Koers' pure core: spreadsheet rows in, evaluated KPIs out. No user interface in here.

The flow is one way: file bytes → ``ingest`` → ``model.Scorecard`` → ``measures`` per period
→ ``evaluate`` against targets → views (``report``, ``charts``). The app, the command line and
anyone who ``import kpilogic`` use these same functions.
"""

from kpilogic.errors import KoersError
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target, Tolerance
from kpilogic.scorecard.periods import Period

__all__ = [
    "KPI",
    "Dataset",
    "Goal",
    "KoersError",
    "Measure",
    "Period",
    "Scorecard",
    "Target",
    "Tolerance",
]
