"""The optimiser page: pick stored plans (or upload a file), give a budget, see what to fund.

``GET /optimise`` shows the form: a checklist of the plans still to decide that the user may see
(only plans releasable to the user are read, by :func:`comity.services.optimiser.plan_choices`),
a file upload, and, as an advanced option, a box to type candidates as CSV. ``POST /optimise``
checks everything at once (each problem beside its field and linked from a summary at the top,
the form kept as sent), runs :func:`comity.services.optimiser.optimise_portfolio` for the
signed-in user (analysts and up), and shows which plans, what they cost and what they add.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from babel.numbers import NumberFormatError, format_decimal, list_currencies, parse_decimal
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from comity.access.viewer import Role, Viewer
from comity.errors import ComityError, FieldProblem, ValidationError
from comity.planning.candidates import Candidate, read_candidates
from comity.planning.optimiser import Rules
from comity.services import optimiser as optimiser_service
from comity.services.engagements import require
from comity.services.registry import resolve_nation
from comity.web.forms import problem_text
from comity.web.locale import locale_of
from comity.web.routing import WebRouter, render, store_of, viewer_of_request

__all__ = ["parse_amount", "router"]

router = WebRouter()

SAMPLE = """id,title,kind,partners,host,year,personnel,cost,window
A,Pacific drill,exercise,PHL,PHL,2027,900,50000,spring
B,Port call Manila,port_call,PHL,,2027,,10000,spring
C,Staff talks,visit,JPN,,2027,,20000,
"""
"""A candidates file to start from, offered for download."""

_TEXT_FIELDS = ("budget", "currency", "priorities", "max_per_partner", "include", "exclude")
_FIELDS = (*_TEXT_FIELDS, "year", "nation", "csv", "source")
_MAX_FILE = 1_000_000
_LABELS = {
    "plans": "Plans",
    "file": "File",
    "csv": "Candidates typed in",
    "budget": "Budget",
    "currency": "Currency",
    "priorities": "Priority partners",
    "max_per_partner": "At most per partner",
    "include": "Must fund",
    "exclude": "Leave out",
    "year": "Year the index is measured",
    "nation": "Planning nation",
}
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u2009']")
T = TypeVar("T")


def parse_amount(text: str, *, locale: str = "en", currency: str | None = None) -> Decimal:
    """An amount as people type it: ``12,500``, ``12 500``, ``12500.50`` (in ``en``).

    Spaces and apostrophes are thousands separators in every locale; the decimal sign and the
    grouping are the locale's (in ``fr``, ``12,5`` is twelve and a half). The currency code may
    come before or after the number.

    Raises:
        ValidationError: On ``budget``, for an empty, negative, misgrouped or unreadable amount,
            with the readings the grouping suggests.
    """
    shown = text.strip()
    bare = shown
    if currency:
        code = re.escape(currency)
        bare = re.sub(rf"^{code}\b|\b{code}$", "", bare, flags=re.IGNORECASE).strip()
    bare = _SPACES.sub("", bare)
    example = format_decimal(Decimal("12500.50"), format="#,##0.00", locale=locale)
    if not bare:
        reason = "give the money you have" + (f" in {currency}" if currency else "")
        raise ValidationError([FieldProblem("budget", f"{reason}, e.g. {example}")], "form")
    if bare.startswith("-"):
        raise ValidationError([FieldProblem("budget", "must be 0 or more", shown)], "form")
    try:
        if not re.fullmatch(r"[\d.,]+", bare):
            raise NumberFormatError(f"{shown!r} is not a number")
        return parse_decimal(bare, locale=locale, strict=True)
    except NumberFormatError as error:
        readings = " or ".join(getattr(error, "suggestions", None) or [])
        meant = f"; did you mean {readings}?" if readings else ";"
        problem = FieldProblem("budget", f"is not an amount{meant} write it as {example}", shown)
        raise ValidationError([problem], "form") from None


def _partner_names(keys: Sequence[str]) -> str:
    return ", ".join(resolve_nation(key).name for key in keys)


def _context(
    request: Request,
    viewer: Viewer,
    values: dict[str, str],
    picked: set[int] | None,
    must: set[int],
) -> dict[str, Any]:
    """What the form shows: the plans to pick from (``picked`` None: all), currencies, totals."""
    locale = locale_of(request)
    try:
        choices = optimiser_service.plan_choices(
            store_of(request), viewer, values.get("nation", "").strip() or None
        )
    except ComityError:  # an unknown planning nation is reported beside its field
        choices = optimiser_service.plan_choices(store_of(request), viewer)
    rows = []
    totals: dict[str, Decimal] = {}
    for choice in choices:
        plan = choice.stored.plan
        ticked = (picked is None or choice.stored.id in picked) and choice.reason is None
        if ticked and plan.budget is not None:
            code = plan.budget.currency
            totals[code] = totals.get(code, Decimal(0)) + plan.budget.amount
        rows.append(
            {
                "id": choice.stored.id,
                "title": plan.title,
                "partners": _partner_names(choice.partners),
                "dates": f"{plan.start} to {plan.end}",
                "state": choice.stored.state.value,
                "budget": optimiser_service.format_amount(
                    plan.budget.amount, plan.budget.currency, locale
                )
                if plan.budget
                else "none",
                "reason": choice.reason,
                "ticked": ticked,
                "must": choice.stored.id in must and ticked,
            }
        )
    usable = Counter(c.currency for c in choices if c.candidate is not None and c.currency)
    if not values.get("source"):
        values["source"] = "plans" if usable else "file"
    if not values.get("currency"):
        values["currency"] = usable.most_common(1)[0][0] if usable else ""
    total = " plus ".join(
        optimiser_service.format_amount(amount, code, locale) for code, amount in totals.items()
    )
    return {
        "title": "Optimise",
        "values": values,
        "rows": rows,
        "currencies": sorted(usable),
        "total": total,
        "example": format_decimal(Decimal("12500.50"), format="#,##0.00", locale=locale),
        "summary": [],
        "messages": {},
        "result": None,
    }


@router.get("/optimise")
def optimise_page(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """The form: every plan still to decide ticked, no budget yet."""
    require(viewer, Role.ANALYST, "optimise portfolios")
    values = {"nation": viewer.nation or ""}
    return render(request, "optimise.html", _context(request, viewer, values, None, set()))


@router.get("/optimise/sample.csv")
def sample_file(viewer: Viewer = Depends(viewer_of_request)) -> Response:
    """A candidates file to start from."""
    headers = {"Content-Disposition": 'attachment; filename="candidates.csv"'}
    return Response(SAMPLE, media_type="text/csv; charset=utf-8", headers=headers)


def _ids(values: Sequence[Any]) -> list[int]:
    return [int(v) for v in values if isinstance(v, str) and v.isdigit() and len(v) < 10]


def _words(text: str) -> list[str]:
    """Items of a list typed by hand: split on commas or semicolons, else on spaces."""
    parts = re.split(r"[,;\n]", text) if re.search(r"[,;\n]", text) else text.split()
    return [p.strip() for p in parts if p.strip()]


class _Checks:
    """Problems gathered while reading the form, so that all of them are shown at once."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def run(self, field: str, call: Callable[[], T]) -> T | None:
        try:
            return call()
        except ValidationError as error:
            self.problems.extend(error.problems)
        except ComityError as error:
            self.problems.append(FieldProblem(field, error.message))
        return None

    def number(self, values: dict[str, str], name: str, low: int, high: int) -> int | None:
        text = values.get(name, "").strip()
        if not text:
            return None
        if not text.isdigit() or not low <= int(text) <= high:
            self.problems.append(
                FieldProblem(name, f"must be a whole number from {low} to {high}", text)
            )
            return None
        return int(text)


async def _read(request: Request) -> tuple[dict[str, str], list[int], list[int], str | None]:
    """The form's fields as typed, the plans ticked and must-funds, and an uploaded file's text.

    Raises:
        ValidationError: For a file that is too large or not UTF-8 text.
    """
    form = await request.form()
    values = {name: str(form.get(name) or "")[:_MAX_FILE] for name in _FIELDS}
    for name in _TEXT_FIELDS:
        values[name] = values[name][:1000]
    picked, must = _ids(form.getlist("plan")), _ids(form.getlist("must"))
    upload = form.get("file")
    if values["source"] != "file" or not isinstance(upload, UploadFile) or not upload.filename:
        return values, picked, must, None
    values["file_name"] = upload.filename[:200]
    data = await upload.read(_MAX_FILE + 1)
    if len(data) > _MAX_FILE:
        raise ValidationError([FieldProblem("file", "is larger than 1 MB")], "file")
    try:
        return values, picked, must, data.decode("utf-8-sig")
    except UnicodeDecodeError:
        reason = "is not UTF-8 text: save it as CSV UTF-8 from the spreadsheet"
        raise ValidationError([FieldProblem("file", reason)], "file") from None


def _candidates(
    checks: _Checks,
    request: Request,
    viewer: Viewer,
    values: dict[str, str],
    picked: list[int],
    text: str | None,
    nation: str | None,
) -> tuple[list[Candidate] | None, list[str]]:
    """The candidates of the chosen source, and the stored plans left out (with why)."""
    source = values["source"]
    if source == "plans":
        currency = values["currency"].strip().upper() or None
        found = checks.run(
            "plans",
            lambda: optimiser_service.candidates_from_plans(
                store_of(request),
                viewer,
                nation,
                plan_ids=picked,
                currency=currency,
            ),
        )
        if found is None:
            return None, []
        values["currency"] = found.currency or values["currency"]
        return found.candidates, found.left_out
    if source == "file" and text is None:
        checks.problems.append(FieldProblem("file", "choose a CSV or JSON file to upload"))
        return None, []
    body = values["csv"] if source != "file" else str(text)
    if source != "file" and not body.strip():
        checks.problems.append(FieldProblem("csv", "type the candidates, one row per plan"))
        return None, []
    name = values.get("file_name", "")
    file_format = "json" if name.lower().endswith(".json") or body.lstrip()[:1] == "[" else "csv"
    return checks.run("candidates", lambda: read_candidates(body, file_format)), []


def _place(
    problem: FieldProblem,
    source: str,
    titles: dict[str, str],
    ordered: list[str],
    json_file: bool,
) -> tuple[str, str, str]:
    """Where a problem goes: the field beside which it shows, its label, and its words."""
    text = problem_text(problem)
    head, _, rest = problem.field.partition(".")
    row = re.fullmatch(r"row (\d+)", head)
    where = {"plans": "plans", "file": "file", "text": "csv"}.get(source, "csv")
    if row and source == "plans":  # the n-th plan ticked
        number = int(row.group(1))
        title = ordered[number - 1] if 0 < number <= len(ordered) else f"Plan {number}"
        return "plans", title, f"{rest}: {text}" if rest else text
    if row:
        number = int(row.group(1))
        line = "" if json_file else f" (line {number + 1} of the file)"
        column = f", column {rest}" if rest else ""
        return where, f"Row {number}{line}{column}", text
    if head in ("include", "exclude") and problem.value in titles:
        field = "plans" if source == "plans" else head
        return field, _LABELS[head], f"{titles[problem.value]}: {problem.reason}"
    field = {"candidates": where, "priority": "priorities", "rules": "form"}.get(head, head)
    if field not in _LABELS:
        field = "form"
    return field, _LABELS.get(field, "Form"), text


@router.post("/optimise")
async def optimise_run(
    request: Request,
    viewer: Viewer = Depends(viewer_of_request),
) -> HTMLResponse:
    """Check the form, then choose the plans; every problem comes back beside its field."""
    require(viewer, Role.ANALYST, "optimise portfolios")
    locale = locale_of(request)
    checks = _Checks()
    try:
        values, picked, must, text = await _read(request)
    except ValidationError as error:
        values, picked, must, text = {"source": "file"}, [], [], None
        checks.problems.extend(error.problems)
    values = {name: values.get(name, "") for name in (*_FIELDS, "file_name")}
    if values["source"] not in ("plans", "file", "text"):
        values["source"] = "plans"
    picked = sorted({*picked, *must})
    currency = values["currency"].strip().upper()
    if currency and currency not in list_currencies():
        checks.problems.append(
            FieldProblem("currency", "is not a currency code such as EUR or USD", currency)
        )
        values["currency"] = currency = ""
    typed_nation = values["nation"].strip()
    nation = (
        checks.run("nation", lambda: resolve_nation(typed_nation).iso3) if typed_nation else None
    )
    candidates, left_out = _candidates(checks, request, viewer, values, picked, text, nation)
    currency = values["currency"].strip().upper()
    budget = checks.run(
        "budget", lambda: parse_amount(values["budget"], locale=locale, currency=currency or None)
    )
    from_plans = values["source"] == "plans"
    rules = Rules(
        max_per_partner=checks.number(values, "max_per_partner", 1, 10_000),
        include=frozenset([f"plan-{i}" for i in must] if from_plans else _words(values["include"])),
        exclude=frozenset([] if from_plans else _words(values["exclude"])),
    )
    year = checks.number(values, "year", 1816, 2200)
    priorities: dict[str, float] = {}
    for item in _words(values["priorities"]):
        found = checks.run("priorities", partial(optimiser_service.parse_priorities, [item]))
        priorities.update(found or {})
    context = _context(request, viewer, values, set(picked), set(must))
    context["left_out"] = left_out
    titles = {c.id: c.title for c in candidates or []}
    ordered = [c.title for c in candidates or []]
    result = None
    if not checks.problems and candidates is not None and budget is not None:
        result = checks.run(
            "form",
            lambda: optimiser_service.optimise_portfolio(
                store_of(request),
                viewer,
                candidates,
                budget=float(budget),
                nation=nation,
                priorities=priorities or None,
                rules=rules,
                year=year,
                time_limit=30.0,
            ),
        )
    if result is None or checks.problems:
        if text is not None:  # keep an uploaded file's rows, since a browser cannot
            values.update(csv=text, source="text")
            context["kept_file"] = values["file_name"] or "the file"
        json_file = values["file_name"].lower().endswith(".json")
        placed = [_place(p, values["source"], titles, ordered, json_file) for p in checks.problems]
        order = list(_LABELS) + ["form"]
        placed.sort(key=lambda item: order.index(item[0]) if item[0] in order else 99)
        context["summary"] = [(f"optimise-{f}", label, words) for f, label, words in placed]
        messages: dict[str, list[str]] = {}
        for field, label, words in placed:
            shown = words if label == _LABELS.get(field) else f"{label}: {words}"
            messages.setdefault(field, []).append(shown)
        context["messages"] = {k: "; ".join(v) for k, v in messages.items()}
        return render(request, "optimise.html", context, status=422)
    currency_shown = values["currency"].strip().upper() or None
    context["result"] = optimiser_service.explain_portfolio(
        store_of(request), viewer, result, candidates or [], currency=currency_shown, locale=locale
    )
    return render(request, "optimise.html", context)
