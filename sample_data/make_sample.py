"""Regenerate the sample workbook and scorecard in this folder.

Run ``.venv/bin/python sample_data/make_sample.py`` (or ``koers sample sample_data``) after
changing ``kpilogic.sample``: ``tests/test_sample.py`` checks that the files here are what the
code makes.
"""

from __future__ import annotations

from pathlib import Path

from kpilogic.sample import write_sample

if __name__ == "__main__":
    for path in write_sample(Path(__file__).parent):
        print(path)
