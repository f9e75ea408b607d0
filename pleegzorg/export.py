"""Tables as CSV that Dutch Excel opens as it should: UTF-8 with a byte-order mark, ``;`` between
the columns, Dutch headers, dates as dd-mm-jjjj. Every export is written to the access log."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from django.http import HttpRequest, HttpResponse
from django.utils.formats import number_format

from pleegzorg.actions import log_view
from pleegzorg.audit import Action, Purpose

BOM = "\ufeff"


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return number_format(value, decimal_pos=1)  # "12,5" in Dutch
    return str(value)


def csv_text(headers: Sequence[str], rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(h) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def csv_response(
    request: HttpRequest,
    *,
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    purpose: str = Purpose.SUPERVISION,
    detail: str = "",
) -> HttpResponse:
    """The table as a CSV download (an empty table: the headers only), logged as an export."""
    response = HttpResponse(
        csv_text(headers, rows).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    log_view(request, person=None, action=Action.EXPORT, purpose=purpose, detail=detail or filename)
    return response
