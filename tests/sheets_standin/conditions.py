"""Conditions of data-validation rules and conditional formats, checked as Sheets checks them.

Which ConditionType is allowed where follows the ConditionType reference ("Supported by data validation",
"... conditional formatting"); there is no TEXT_LENGTH type (text length is a CUSTOM_FORMULA such as
``=LEN(A2)<=32``).  The reasons given for bad values are written in Google's style but not recorded.
"""

from __future__ import annotations

import copy
from typing import Any

from . import a1
from .errors import RequestError
from .formatting import parse_date_value, parse_number_value
from .model import Book

ZERO_VALUES = {"DATE_IS_VALID", "TEXT_IS_EMAIL", "TEXT_IS_URL", "BLANK", "NOT_BLANK"}
TWO_VALUES = {"NUMBER_BETWEEN", "NUMBER_NOT_BETWEEN", "DATE_BETWEEN", "DATE_NOT_BETWEEN"}
NUMBER_TYPES = {"NUMBER_GREATER", "NUMBER_GREATER_THAN_EQ", "NUMBER_LESS", "NUMBER_LESS_THAN_EQ", "NUMBER_EQ",
                "NUMBER_NOT_EQ", "NUMBER_BETWEEN", "NUMBER_NOT_BETWEEN"}  # fmt: skip
DATE_TYPES = {"DATE_EQ", "DATE_BEFORE", "DATE_AFTER", "DATE_ON_OR_BEFORE", "DATE_ON_OR_AFTER", "DATE_BETWEEN",
              "DATE_NOT_BETWEEN", "DATE_NOT_EQ"}  # fmt: skip
RELATIVE_OK = {"DATE_BEFORE", "DATE_AFTER", "DATE_ON_OR_BEFORE", "DATE_ON_OR_AFTER"}
# "Supported by data validation" per the ConditionType reference.
VALIDATION_TYPES = NUMBER_TYPES | DATE_TYPES - {"DATE_NOT_EQ"} | {
    "TEXT_CONTAINS", "TEXT_NOT_CONTAINS", "TEXT_EQ", "TEXT_IS_EMAIL", "TEXT_IS_URL", "DATE_IS_VALID",
    "ONE_OF_RANGE", "ONE_OF_LIST", "CUSTOM_FORMULA", "BOOLEAN",
}  # fmt: skip
# "Supported by conditional formatting".
FORMAT_TYPES = NUMBER_TYPES | {"DATE_EQ", "DATE_BEFORE", "DATE_AFTER", "DATE_ON_OR_BEFORE", "DATE_ON_OR_AFTER"} | {
    "TEXT_CONTAINS", "TEXT_NOT_CONTAINS", "TEXT_STARTS_WITH", "TEXT_ENDS_WITH", "TEXT_EQ", "BLANK", "NOT_BLANK",
    "CUSTOM_FORMULA",
}  # fmt: skip
CONDITIONAL_FORMAT_FIELDS = {"backgroundColor", "backgroundColorStyle", "textFormat"}
CONDITIONAL_TEXT_FIELDS = {"bold", "italic", "strikethrough", "underline", "foregroundColor", "foregroundColorStyle"}


def _arity(kind: str) -> tuple[int, int]:
    if kind in ZERO_VALUES:
        return 0, 0
    if kind in TWO_VALUES:
        return 2, 2
    if kind == "ONE_OF_LIST":
        return 1, 500
    if kind == "BOOLEAN":
        return 0, 2
    return 1, 1


def check_condition(book: Book, condition: dict[str, Any] | None, *, validation: bool) -> dict[str, Any]:
    if not condition or condition.get("type") in (None, "CONDITION_TYPE_UNSPECIFIED"):
        raise RequestError("Invalid BooleanCondition: the condition type must be set.")
    kind = condition["type"]
    allowed = VALIDATION_TYPES if validation else FORMAT_TYPES
    if kind not in allowed:
        purpose = "data validation" if validation else "conditional formatting"
        raise RequestError(f"Invalid BooleanCondition: {kind} is not supported in {purpose}.")
    values = condition.get("values", [])
    low, high = _arity(kind)
    if not low <= len(values) <= high:
        expected = str(low) if low == high else (f"at least {low}" if high >= 500 else f"{low} to {high}")
        raise RequestError(f"Invalid ConditionValue count for {kind}: expected {expected} value(s), got {len(values)}.")
    for v in values:
        if ("userEnteredValue" in v) == ("relativeDate" in v):
            raise RequestError(f"Invalid ConditionValue for {kind}: set one of userEnteredValue or relativeDate.")
        if "relativeDate" in v:
            if validation:
                raise RequestError("relativeDate values are not supported in data validation.")
            if kind not in RELATIVE_OK:
                raise RequestError(f"Invalid ConditionValue for {kind}: relativeDate is not allowed.")
            continue
        _check_value(book, kind, v["userEnteredValue"])
    out: dict[str, Any] = {"type": kind}
    if values:
        out["values"] = copy.deepcopy(values)
    return out


def _check_value(book: Book, kind: str, text: str) -> None:
    locale = book.locale
    problem = None
    if kind == "CUSTOM_FORMULA":
        if not text.startswith("="):
            problem = "must be a formula starting with '='"
    elif kind == "ONE_OF_RANGE":
        if not _resolves(book, text.removeprefix("=")):
            problem = "is not a valid range"
    elif kind in NUMBER_TYPES:
        if not text.startswith("=") and parse_number_value(text, locale) is None:
            problem = "is not a number"
    elif kind in DATE_TYPES and not text.startswith("=") and parse_date_value(text, locale) is None:
        problem = "is not a valid date"
    if problem:
        raise RequestError(f"Invalid ConditionValue.userEnteredValue for {kind}: '{text}' {problem}.")


def _resolves(book: Book, ref: str) -> bool:
    if book.named_range(ref) is not None:
        return True
    try:
        title, rest = a1.split_title(ref)
    except ValueError:
        return False
    if title is None:
        return rest is not None and a1.looks_like_a1(rest.replace("$", ""))
    if book.sheet_by_title(title) is None:
        return False
    return rest is None or a1.looks_like_a1(rest.replace("$", ""))


def check_rule(book: Book, rule: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"condition": check_condition(book, rule.get("condition"), validation=True)}
    if rule.get("inputMessage"):
        out["inputMessage"] = rule["inputMessage"]
    if rule.get("strict"):
        out["strict"] = True
    if rule.get("showCustomUi"):
        out["showCustomUi"] = True
    return out
