"""Load the bundled sample files into an empty store (the first run of a local install).

The committed files end on a fixed day (``sample.AS_OF``), so a newcomer opening the dashboard
months later would meet a first meeting page warning that "the data may be out of date". Given
``today``, every date is moved on by whole weeks (weekdays and weekly patterns stay as they
were) so the sample's extract date falls in the week up to today.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

from evaluation.core.contract import KINDS
from evaluation.ingest import sample
from evaluation.ingest.importer import Imported, import_files
from evaluation.ingest.reading import normalise_header
from evaluation.store.connection import Store

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
_UK_DAY = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


def weeks_to(today: date, as_of: date = sample.AS_OF) -> int:
    """How many days, in whole weeks, the sample moves so its extract date is in the last week."""
    return (today - as_of).days // 7 * 7


def shifted(data: bytes, kind: str, days: int) -> bytes:
    """A sample CSV with every date of the kind's date columns moved on by ``days``."""
    if not days:
        return data
    spec = KINDS[kind]
    dated = {normalise_header(c) for c in spec.columns if spec.sql_type(c) == "DATE"}
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    columns = [i for i, h in enumerate(rows[0]) if normalise_header(h) in dated]
    for row in rows[1:]:
        for i in columns:
            found = _UK_DAY.fullmatch(row[i])
            if found:
                day, month, year = (int(part) for part in found.groups())
                row[i] = f"{date(year, month, day) + timedelta(days=days):%d/%m/%Y}"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def load_sample(
    store: Store, directory: Path = SAMPLE_DIR, *, today: date | None = None
) -> list[Imported]:
    """Import every sample CSV as batches marked 'sample', so they can be found and undone;
    with ``today``, dated to be current (see above)."""
    days = weeks_to(today) if today else 0
    files = [
        (f"{name}.csv", shifted((directory / f"{name}.csv").read_bytes(), name, days))
        for name in sample.FILES
    ]
    return import_files(
        store,
        files,
        as_of=sample.AS_OF + timedelta(days=days),
        imported_by="sample data",
        source="sample",
    )
