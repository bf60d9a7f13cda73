"""The report as a file, in the format its name asks for (the command line's writer).

``report`` writes the workbook, csv and json; ``report_pdf`` the one-page PDF, which builds on
``report``'s overview lines. This module sits above both so neither imports the other's caller.
"""

from __future__ import annotations

from kpilogic.engine.evaluate import Evaluation
from kpilogic.present.report import report_xlsx, summary_csv, summary_json
from kpilogic.present.report_pdf import report_pdf


def write_summary(
    evaluation: Evaluation, suffix: str, lang: str = "en", readable: bool = False
) -> bytes:
    """The report in the format named by ``suffix``: ``.csv``, ``.xlsx`` (the formatted
    workbook), ``.json`` or ``.pdf`` (the one-page management summary).

    This is the command line's writer: its csv and json are machine-readable and keep
    ``SIGNIFICANT_DIGITS`` significant digits (no float noise, no rounding to the unit);
    ``readable=True`` (``--lang`` given) names the csv's columns and statuses in ``lang``.

    Raises:
        ValueError: for another suffix.
    """
    suffix = suffix.lower()
    if suffix == ".csv":
        return summary_csv(evaluation, lang, precision="significant", readable=readable)
    if suffix == ".xlsx":
        return report_xlsx(evaluation, lang)
    if suffix == ".json":
        return summary_json(evaluation)
    if suffix == ".pdf":
        return report_pdf(evaluation, lang)
    raise ValueError(suffix)
