"""Strict request-shape checking, the way Google's JSON front end rejects bodies.

``normalize(value, "Request", "requests[0]")`` returns a clean copy (JSON ``null`` dropped, int32 fields as
``int``) or raises the 400 Google would: ``Unknown name "x" at 'requests[0].add_sheet': Cannot find field.``
or ``Invalid value at 'requests[0].set_data_validation.rule.condition.type' (type.googleapis.com/...), "X"``.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ApiError, bad_request, invalid_value, unknown_field

ENUMS: dict[str, tuple[str, ...]] = {
    "ConditionType": (
        "CONDITION_TYPE_UNSPECIFIED", "NUMBER_GREATER", "NUMBER_GREATER_THAN_EQ", "NUMBER_LESS",
        "NUMBER_LESS_THAN_EQ", "NUMBER_EQ", "NUMBER_NOT_EQ", "NUMBER_BETWEEN", "NUMBER_NOT_BETWEEN",
        "TEXT_CONTAINS", "TEXT_NOT_CONTAINS", "TEXT_STARTS_WITH", "TEXT_ENDS_WITH", "TEXT_EQ", "TEXT_IS_EMAIL",
        "TEXT_IS_URL", "DATE_EQ", "DATE_BEFORE", "DATE_AFTER", "DATE_ON_OR_BEFORE", "DATE_ON_OR_AFTER",
        "DATE_BETWEEN", "DATE_NOT_BETWEEN", "DATE_IS_VALID", "ONE_OF_RANGE", "ONE_OF_LIST", "BLANK",
        "NOT_BLANK", "CUSTOM_FORMULA", "BOOLEAN", "TEXT_NOT_EQ", "DATE_NOT_EQ", "FILTER_EXPRESSION",
    ),
    "RelativeDate": ("RELATIVE_DATE_UNSPECIFIED", "PAST_YEAR", "PAST_MONTH", "PAST_WEEK", "YESTERDAY", "TODAY",
                     "TOMORROW"),
    "NumberFormatType": ("NUMBER_FORMAT_TYPE_UNSPECIFIED", "TEXT", "NUMBER", "PERCENT", "CURRENCY", "DATE",
                         "TIME", "DATE_TIME", "SCIENTIFIC"),
    "HorizontalAlign": ("HORIZONTAL_ALIGN_UNSPECIFIED", "LEFT", "CENTER", "RIGHT"),
    "VerticalAlign": ("VERTICAL_ALIGN_UNSPECIFIED", "TOP", "MIDDLE", "BOTTOM"),
    "WrapStrategy": ("WRAP_STRATEGY_UNSPECIFIED", "OVERFLOW_CELL", "LEGACY_WRAP", "CLIP", "WRAP"),
    "TextDirection": ("TEXT_DIRECTION_UNSPECIFIED", "LEFT_TO_RIGHT", "RIGHT_TO_LEFT"),
    "HyperlinkDisplayType": ("HYPERLINK_DISPLAY_TYPE_UNSPECIFIED", "LINKED", "PLAIN_TEXT"),
    "SheetType": ("SHEET_TYPE_UNSPECIFIED", "GRID", "OBJECT", "DATA_SOURCE"),
    "RecalculationInterval": ("RECALCULATION_INTERVAL_UNSPECIFIED", "ON_CHANGE", "MINUTE", "HOUR"),
    "ThemeColorType": ("THEME_COLOR_TYPE_UNSPECIFIED", "TEXT", "BACKGROUND", "ACCENT1", "ACCENT2", "ACCENT3",
                       "ACCENT4", "ACCENT5", "ACCENT6", "LINK"),
    "Style": ("STYLE_UNSPECIFIED", "DOTTED", "DASHED", "SOLID", "SOLID_MEDIUM", "SOLID_THICK", "NONE", "DOUBLE"),
    "Dimension": ("DIMENSION_UNSPECIFIED", "ROWS", "COLUMNS"),
    "InterpolationPointType": ("INTERPOLATION_POINT_TYPE_UNSPECIFIED", "MIN", "MAX", "NUMBER", "PERCENT",
                               "PERCENTILE"),
    "ValueInputOption": ("INPUT_VALUE_OPTION_UNSPECIFIED", "RAW", "USER_ENTERED"),
    "ValueRenderOption": ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"),
    "DateTimeRenderOption": ("SERIAL_NUMBER", "FORMATTED_STRING"),
    "InsertDataOption": ("OVERWRITE", "INSERT_ROWS"),
}  # fmt: skip

INT, STR, BOOL, DOUBLE, ANY = "int32", "string", "bool", "double", "any"

MESSAGES: dict[str, dict[str, Any]] = {
    "GridRange": dict.fromkeys(("sheetId", "startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"), INT),
    "GridCoordinate": {"sheetId": INT, "rowIndex": INT, "columnIndex": INT},
    "DimensionRange": {"sheetId": INT, "dimension": ("enum", "Dimension"), "startIndex": INT, "endIndex": INT},
    "Color": {"red": DOUBLE, "green": DOUBLE, "blue": DOUBLE, "alpha": DOUBLE},
    "ColorStyle": {"rgbColor": "Color", "themeColor": ("enum", "ThemeColorType")},
    "GridProperties": {
        "rowCount": INT, "columnCount": INT, "frozenRowCount": INT, "frozenColumnCount": INT,
        "hideGridlines": BOOL, "rowGroupControlAfter": BOOL, "columnGroupControlAfter": BOOL,
    },
    "SheetProperties": {
        "sheetId": INT, "title": STR, "index": INT, "sheetType": ("enum", "SheetType"),
        "gridProperties": "GridProperties", "hidden": BOOL, "tabColor": "Color", "tabColorStyle": "ColorStyle",
        "rightToLeft": BOOL, "dataSourceSheetProperties": ANY,
    },
    "SpreadsheetProperties": {
        "title": STR, "locale": STR, "autoRecalc": ("enum", "RecalculationInterval"), "timeZone": STR,
        "defaultFormat": "CellFormat", "iterativeCalculationSettings": ANY, "spreadsheetTheme": ANY,
        "importFunctionsExternalUrlAccessAllowed": BOOL,
    },
    "NumberFormat": {"type": ("enum", "NumberFormatType"), "pattern": STR},
    "TextFormat": {
        "foregroundColor": "Color", "foregroundColorStyle": "ColorStyle", "fontFamily": STR, "fontSize": INT,
        "bold": BOOL, "italic": BOOL, "strikethrough": BOOL, "underline": BOOL, "link": ANY,
    },
    "Padding": {"top": INT, "right": INT, "bottom": INT, "left": INT},
    "Border": {"style": ("enum", "Style"), "width": INT, "color": "Color", "colorStyle": "ColorStyle"},
    "Borders": {"top": "Border", "bottom": "Border", "left": "Border", "right": "Border"},
    "CellFormat": {
        "numberFormat": "NumberFormat", "backgroundColor": "Color", "backgroundColorStyle": "ColorStyle",
        "borders": "Borders", "padding": "Padding", "horizontalAlignment": ("enum", "HorizontalAlign"),
        "verticalAlignment": ("enum", "VerticalAlign"), "wrapStrategy": ("enum", "WrapStrategy"),
        "textDirection": ("enum", "TextDirection"), "textFormat": "TextFormat",
        "hyperlinkDisplayType": ("enum", "HyperlinkDisplayType"), "textRotation": ANY,
    },
    "ExtendedValue": {"numberValue": DOUBLE, "stringValue": STR, "boolValue": BOOL, "formulaValue": STR,
                      "errorValue": ANY},
    "ConditionValue": {"userEnteredValue": STR, "relativeDate": ("enum", "RelativeDate")},
    "BooleanCondition": {"type": ("enum", "ConditionType"), "values": ("list", "ConditionValue")},
    "DataValidationRule": {"condition": "BooleanCondition", "inputMessage": STR, "strict": BOOL,
                           "showCustomUi": BOOL},
    "CellData": {
        "userEnteredValue": "ExtendedValue", "userEnteredFormat": "CellFormat", "note": STR,
        "dataValidation": "DataValidationRule", "textFormatRuns": ANY, "pivotTable": ANY, "chipRuns": ANY,
        "dataSourceTable": ANY, "dataSourceFormula": ANY,
    },
    "RowData": {"values": ("list", "CellData")},
    "BooleanRule": {"condition": "BooleanCondition", "format": "CellFormat"},
    "InterpolationPoint": {"color": "Color", "colorStyle": "ColorStyle",
                           "type": ("enum", "InterpolationPointType"), "value": STR},
    "GradientRule": {"minpoint": "InterpolationPoint", "midpoint": "InterpolationPoint",
                     "maxpoint": "InterpolationPoint"},
    "ConditionalFormatRule": {"ranges": ("list", "GridRange"), "booleanRule": "BooleanRule",
                              "gradientRule": "GradientRule"},
    "Editors": {"users": ("list", STR), "groups": ("list", STR), "domainUsersCanEdit": BOOL},
    "ProtectedRange": {
        "protectedRangeId": INT, "range": "GridRange", "namedRangeId": STR, "tableId": STR, "description": STR,
        "warningOnly": BOOL, "requestingUserCanEdit": BOOL, "unprotectedRanges": ("list", "GridRange"),
        "editors": "Editors",
    },
    "NamedRange": {"namedRangeId": STR, "name": STR, "range": "GridRange"},
    "DimensionProperties": {"hiddenByUser": BOOL, "pixelSize": INT, "developerMetadata": ANY,
                            "dataSourceColumnReference": ANY},
    "Sheet": {
        "properties": "SheetProperties", "data": ANY, "merges": ANY, "conditionalFormats":
        ("list", "ConditionalFormatRule"), "filterViews": ANY, "protectedRanges": ("list", "ProtectedRange"),
        "basicFilter": ANY, "charts": ANY, "bandedRanges": ANY, "developerMetadata": ANY, "rowGroups": ANY,
        "columnGroups": ANY, "slicers": ANY, "tables": ANY,
    },
    "Spreadsheet": {
        "spreadsheetId": STR, "properties": "SpreadsheetProperties", "sheets": ("list", "Sheet"),
        "namedRanges": ("list", "NamedRange"), "spreadsheetUrl": STR, "developerMetadata": ANY,
        "dataSources": ANY, "dataSourceSchedules": ANY,
    },
    "ValueRange": {"range": STR, "majorDimension": ("enum", "Dimension"), "values": "ListValue"},
    "BatchUpdateValuesRequest": {
        "valueInputOption": ("enum", "ValueInputOption"), "data": ("list", "ValueRange"),
        "includeValuesInResponse": BOOL, "responseValueRenderOption": ("enum", "ValueRenderOption"),
        "responseDateTimeRenderOption": ("enum", "DateTimeRenderOption"),
    },
    "BatchClearValuesRequest": {"ranges": ("list", STR)},
    "ClearValuesRequest": {},
    "BatchUpdateSpreadsheetRequest": {
        "requests": ("list", "Request"), "includeSpreadsheetInResponse": BOOL, "responseRanges": ("list", STR),
        "responseIncludeGridData": BOOL,
    },
    # batchUpdate request kinds this stand-in implements
    "AddSheetRequest": {"properties": "SheetProperties"},
    "DeleteSheetRequest": {"sheetId": INT},
    "UpdateSheetPropertiesRequest": {"properties": "SheetProperties", "fields": STR},
    "UpdateSpreadsheetPropertiesRequest": {"properties": "SpreadsheetProperties", "fields": STR},
    "SetDataValidationRequest": {"range": "GridRange", "rule": "DataValidationRule", "filteredRowsIncluded": BOOL},
    "AddConditionalFormatRuleRequest": {"rule": "ConditionalFormatRule", "index": INT},
    "UpdateConditionalFormatRuleRequest": {"index": INT, "sheetId": INT, "rule": "ConditionalFormatRule",
                                           "newIndex": INT},
    "DeleteConditionalFormatRuleRequest": {"index": INT, "sheetId": INT},
    "AddProtectedRangeRequest": {"protectedRange": "ProtectedRange"},
    "UpdateProtectedRangeRequest": {"protectedRange": "ProtectedRange", "fields": STR},
    "DeleteProtectedRangeRequest": {"protectedRangeId": INT},
    "AddNamedRangeRequest": {"namedRange": "NamedRange"},
    "UpdateNamedRangeRequest": {"namedRange": "NamedRange", "fields": STR},
    "DeleteNamedRangeRequest": {"namedRangeId": STR},
    "RepeatCellRequest": {"range": "GridRange", "cell": "CellData", "fields": STR},
    "UpdateCellsRequest": {"rows": ("list", "RowData"), "fields": STR, "start": "GridCoordinate",
                           "range": "GridRange"},
    "UpdateDimensionPropertiesRequest": {"range": "DimensionRange", "dataSourceSheetRange": ANY,
                                         "properties": "DimensionProperties", "fields": STR},
    "BasicFilter": {"range": "GridRange", "tableId": STR, "sortSpecs": ANY, "criteria": ANY, "filterSpecs": ANY},
    "SetBasicFilterRequest": {"filter": "BasicFilter"},
    "ClearBasicFilterRequest": {"sheetId": INT},
    "UpdateBordersRequest": {"range": "GridRange", **dict.fromkeys(
        ("top", "bottom", "left", "right", "innerHorizontal", "innerVertical"), "Border")},
}  # fmt: skip

# Every Request kind of Sheets v4 (so a real-but-unimplemented kind is told apart from a typo).
ALL_REQUEST_KINDS = frozenset([
    "addBanding", "addChart", "addConditionalFormatRule", "addDataSource", "addDimensionGroup", "addFilterView",
    "addNamedRange", "addProtectedRange", "addSheet", "addSlicer", "addTable", "appendCells", "appendDimension",
    "autoFill", "autoResizeDimensions", "cancelDataSourceRefresh", "clearBasicFilter", "copyPaste",
    "createDeveloperMetadata", "cutPaste", "deleteBanding", "deleteConditionalFormatRule", "deleteDataSource",
    "deleteDeveloperMetadata", "deleteDimension", "deleteDimensionGroup", "deleteDuplicates", "deleteEmbeddedObject",
    "deleteFilterView", "deleteNamedRange", "deleteProtectedRange", "deleteRange", "deleteSheet", "deleteTable",
    "duplicateFilterView", "duplicateSheet", "findReplace", "insertDimension", "insertRange", "mergeCells",
    "moveDimension", "pasteData", "randomizeRange", "refreshDataSource", "repeatCell", "setBasicFilter",
    "setDataValidation", "sortRange", "textToColumns", "trimWhitespace", "unmergeCells", "updateBanding",
    "updateBorders", "updateCells", "updateChartSpec", "updateConditionalFormatRule", "updateDataSource",
    "updateDeveloperMetadata", "updateDimensionGroup", "updateDimensionProperties", "updateEmbeddedObjectBorder",
    "updateEmbeddedObjectPosition", "updateFilterView", "updateNamedRange", "updateProtectedRange",
    "updateSheetProperties", "updateSlicerSpec", "updateSpreadsheetProperties", "updateTable",
])  # fmt: skip


def request_type(kind: str) -> str:
    return kind[0].upper() + kind[1:] + "Request"


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _join(path: str, name: str) -> str:
    return f"{path}.{snake(name)}" if path else snake(name)


def _int32(value: Any, path: str) -> int:
    if isinstance(value, bool):
        raise invalid_value(path, "TYPE_INT32", value)
    if isinstance(value, int):
        result = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip())
    ):
        result = int(value)
    else:
        raise invalid_value(path, "TYPE_INT32", value)
    if not -(2**31) <= result < 2**31:
        raise invalid_value(path, "TYPE_INT32", value)
    return result


def _scalar(spec: str, value: Any, path: str) -> Any:
    if spec == INT:
        return _int32(value, path)
    if spec == STR:
        if not isinstance(value, str):
            raise invalid_value(path, "TYPE_STRING", value)
        return value
    if spec == BOOL:
        if not isinstance(value, bool):
            raise invalid_value(path, "TYPE_BOOL", value)
        return value
    if spec == DOUBLE:
        if isinstance(value, bool) or not isinstance(value, int | float):
            if isinstance(value, str):
                try:
                    return float(value)
                except ValueError:
                    pass
            raise invalid_value(path, "TYPE_DOUBLE", value)
        return value
    raise AssertionError(spec)


def normalize(value: Any, type_name: str, path: str) -> Any:
    """Check ``value`` against message ``type_name``; return a copy without nulls, ints coerced."""
    if type_name == "Request":
        return _normalize_request(value, path)
    if type_name == "ListValue":
        if not isinstance(value, list):
            raise invalid_value(path, "type.googleapis.com/google.protobuf.ListValue", value)
        return value
    fields = MESSAGES[type_name]
    if not isinstance(value, dict):
        raise invalid_value(path, f"type.googleapis.com/google.apps.sheets.v4.{type_name}", value)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key not in fields:
            raise unknown_field(key, path or None)
        if item is None:
            continue
        out[key] = _normalize_field(fields[key], item, _join(path, key))
    return out


def _normalize_field(spec: Any, item: Any, path: str) -> Any:
    if spec == ANY:
        return item
    if isinstance(spec, tuple) and spec[0] == "enum":
        allowed = ENUMS[spec[1]]
        if not isinstance(item, str) or item not in allowed:
            raise invalid_value(path, f"type.googleapis.com/google.apps.sheets.v4.{spec[1]}", item)
        return item
    if isinstance(spec, tuple) and spec[0] == "list":
        if not isinstance(item, list):
            raise invalid_value(path, "TYPE_MESSAGE" if spec[1] in MESSAGES else "TYPE_STRING", item)
        return [_normalize_field(spec[1], v, f"{path}[{i}]") for i, v in enumerate(item) if v is not None]
    if spec in (INT, STR, BOOL, DOUBLE):
        return _scalar(spec, item, path)
    return normalize(item, spec, path)


def _normalize_request(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid_value(path, "type.googleapis.com/google.apps.sheets.v4.Request", value)
    kinds = [k for k, v in value.items() if v is not None]
    for key in kinds:
        if key not in ALL_REQUEST_KINDS:
            raise unknown_field(key, path)
    if not kinds:
        raise bad_request(f"Invalid {path}: No request set.")
    if len(kinds) > 1:
        raise bad_request(f"Invalid JSON payload received. Oneof field 'kind' is already set. Cannot set '{kinds[1]}'")
    kind = kinds[0]
    type_name = request_type(kind)
    if type_name not in MESSAGES:
        raise ApiError(501, f"The Sheets stand-in does not implement {path}.{kind}", "UNIMPLEMENTED")
    return {kind: normalize(value[kind], type_name, _join(path, kind))}
