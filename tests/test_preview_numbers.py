"""The Data page's preview writes numbers in the reader's notation (issue: Dutch polish)."""

from __future__ import annotations

import math

import pandas as pd

from kpilogic.i18n import shown_decimals
from kpilogic.present.preview import numbers_as_text


def test_the_fewest_decimals_that_show_every_value() -> None:
    assert shown_decimals([1234.5, 2000]) == 1
    assert shown_decimals([3, 5, -7]) == 0
    assert shown_decimals([12.25, 1.5]) == 2
    assert shown_decimals([0.1 + 0.2]) == 1  # 0.30000000000000004 is 0.3 as typed
    assert shown_decimals([1 / 3], most=4) == 4  # never exact: the most allowed
    assert shown_decimals([math.nan, None, 2.5]) == 1  # blanks do not count
    assert shown_decimals([]) == 0


def test_number_columns_are_written_as_the_reader_writes_them() -> None:
    frame = pd.DataFrame(
        {
            "Omzet": [182450.5, 2000.0, None],
            "Jaar": [2025, 2026, 2026],
            "Regio": ["Noord", "Zuid", "Oost"],
            "Actief": [True, False, True],
            "Marge": [0.1 + 0.2, -12.5, 1e-7],
            "Datum": pd.to_datetime(["2026-01-31", "2026-02-28", "2026-03-31"]),
        }
    )
    dutch, written = numbers_as_text(frame, "nl")
    assert written == ["Omzet", "Jaar", "Marge"]
    # Decimal comma, no thousands separator (a year stays 2026), one decimal because
    # 182450.5 needs one, an empty cell stays empty.
    assert dutch["Omzet"].tolist() == ["182450,5", "2000,0", ""]
    assert dutch["Jaar"].tolist() == ["2025", "2026", "2026"]
    # 1e-7 needs seven decimals; 0.1 + 0.2 and -12.5 are written with as many.
    assert dutch["Marge"].tolist() == ["0,3000000", "-12,5000000", "0,0000001"]
    english, _ = numbers_as_text(frame, "en")
    assert english["Omzet"].tolist() == ["182450.5", "2000.0", ""]
    # Text, yes/no and dates are left as they are; the frame given is not changed.
    for name in ("Regio", "Actief", "Datum"):
        assert dutch[name].equals(frame[name])
    assert frame["Omzet"].iloc[0] == 182450.5


def test_small_numbers_are_written_out_not_in_exponent_notation() -> None:
    from kpilogic.i18n import format_number

    # Decimal's str() would give "1E-7" and "0E-7".
    assert format_number(1e-7, "nl", 7) == "0,0000001"
    assert format_number(0.0, "en", 7) == "0.0000000"


def test_huge_numbers_are_written_not_refused() -> None:
    from kpilogic.i18n import format_number

    # Decimal's default precision (28 digits) raised InvalidOperation from 1e26 up, which a
    # typed target could reach and which crashed the KPI preview.
    assert format_number(1e26, "nl") == "100.000.000.000.000.000.000.000.000"
    assert format_number(1e26, "en", 2).endswith(",000.00")
    assert len(format_number(1.7e308, "en").replace(",", "")) == 309
