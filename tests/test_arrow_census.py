"""Issue 19: the xlsx text-cell census looks for the cells to decline with one search and
counts them only where one is; the counts stay exact across chunk boundaries."""

from __future__ import annotations

import io
import random
import zipfile

import pytest

import kpilogic.sources.fastread as fastread


def test_the_decline_search_finds_exactly_the_decline_cells() -> None:
    rng = random.Random(5)
    alphabet = [b"t", b"=", b'"', b"'", b"e", b"b", b"d", b"s", b"x", b't="e"', b"t='"]
    for _ in range(5_000):
        data = b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        found = any(p in data for p in fastread._DECLINE_CELLS)
        assert bool(fastread._DECLINE_SEARCH.search(data)) == found, data


@pytest.mark.parametrize("at", [0, 7, 20, 33])
def test_decline_cells_are_counted_across_chunk_boundaries(
    at: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 40 cells: every third a shared string, one error cell (t="e") at position ``at`` and
    # one boolean cell (t="b") after the last: 14 text cells, 1 error, 1 boolean, however
    # the XML is cut into chunks of 1 to 13 bytes.
    cells = [
        f'<c r="A{i}" t="s"><v>{i}</v></c>' if i % 3 == 0 else f'<c r="A{i}"><v>{i}</v></c>'
        for i in range(40)
    ]
    cells[at + 1] = f'<c r="A{at + 1}" t="e"><v>#N/A</v></c>'
    cells.append('<c r="B1" t="b"><v>1</v></c>')
    xml = ("<sheetData>" + "".join(cells) + "</sheetData>").encode()
    text = sum(1 for i in range(40) if i % 3 == 0 and i != at + 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", xml)
    for size in range(1, 14):
        monkeypatch.setattr(fastread, "_CHUNK", size)
        with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
            counts = fastread._count_in_stream(archive, "xl/worksheets/sheet1.xml")
        assert counts[b't="s"'] == text, size
        assert counts[b't="e"'] == 1 and counts[b't="b"'] == 1, size
        assert counts[b't="d"'] == 0 and counts[b"t='"] == 0, size
