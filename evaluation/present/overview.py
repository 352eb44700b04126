"""What the store holds, as the home page shows it: rows per kind and site, the last import."""

from __future__ import annotations

from typing import Any

from evaluation.measures.overview import Overview, age_in_days
from evaluation.present.formats import count, uk_date, uk_time

STALE_AFTER_DAYS = 14


def kind_metrics(summary: Overview) -> list[tuple[str, str, str | None]]:
    """How many rows of each kind the store holds."""
    return [(k.label, count(k.rows), None) for k in summary.kinds]


def ranges_rows(summary: Overview) -> list[dict[str, Any]]:
    """One row per kind: how many rows, and the first and last date they cover."""
    return [
        {
            "Kind": k.label,
            "Rows": k.rows,
            "From": uk_date(k.first) if k.first else "",
            "To": uk_date(k.last) if k.last else "",
        }
        for k in summary.kinds
    ]


def site_rows(summary: Overview) -> list[dict[str, Any]]:
    """One row per site, a column per kind with a site (0 where the kind has none there)."""
    kinds = [k for k in summary.kinds if k.by_site]
    sites = sorted({site for k in kinds for site in k.by_site})
    return [{"Site": site, **{k.label: k.by_site.get(site, 0) for k in kinds}} for site in sites]


def last_import_text(summary: Overview) -> tuple[str, bool] | None:
    """The newest import in a sentence, and whether it is over two weeks old."""
    last = summary.last_import
    if not last:
        return None
    days = age_in_days(last["imported_at"])
    text = (
        f"Batch {last['batch_id']}: {last['file_name']} ({last['kind']}), imported "
        f"{uk_time(last['imported_at'])} by {last['imported_by']}, data as of "
        f"{uk_date(last['as_of'])} ({days} day{'s' if days != 1 else ''} ago)"
    )
    return text, days > STALE_AFTER_DAYS
