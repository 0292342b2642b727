"""The template loads, covers the workbook (docs/architecture.md#workbook); a broken template is a clear error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from sheetkit.errors import TemplateError, UnknownLocaleError
from sheetkit.template import load_template

LOCALES = ["en", "zh-CN", "it", "vi"]


def test_canonical_template_has_every_sheet_and_locale() -> None:
    t = load_template()
    assert t.id == "sheetkit.client-allocation"
    assert [s.key for s in t.sheets] == [
        "clients",
        "visits",
        "appointments",
        "feedback",
        "patch_tests",
        "consents",
        "follow_ups",
    ]
    assert t.version == 2
    assert list(t.locales) == LOCALES
    clients = t.sheet("clients")
    for key in (
        "client_id",
        "full_name",
        "birth_date",
        "phone",
        "allergies",
        "contraindications",
        "records_consent",
        "marketing_opt_in",
        "card_balance",
        "loyalty_points",
        "next_due",
    ):
        assert key in clients.keys
    assert clients.column("phone").type == "phone"
    assert clients.column("allergies").sensitivity == "health"
    assert clients.column("birth_date").month_day
    assert t.sheet("visits").column("client_id").references == "clients.client_id"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_label_exists_in_each_locale(locale: str) -> None:
    t = load_template()
    labels = t.labels(locale)
    for sheet in t.sheets:
        headers = [labels.header(sheet.key, c.key) for c in sheet.columns]
        assert len(set(headers)) == len(headers)
        assert all(labels.help(sheet.key, c.key) for c in sheet.columns)
    for name, keys in t.choice_lists.items():
        assert [*labels.choices[name]] == list(keys)


def test_seed_vocabulary_is_used() -> None:
    t = load_template()
    assert t.labels("zh-CN").header("clients", "client_id") == "客户编号"
    assert t.labels("it").header("clients", "full_name") == "Nome e cognome"
    assert t.labels("vi").header("clients", "phone") == "Số điện thoại"
    assert t.labels("zh-CN").choice_label("client_status", "relationship_ended") == "已终止关系"
    assert t.labels("zh-CN").sheet_name("visits") == "护理记录"


def test_unknown_locale_lists_the_available_ones() -> None:
    with pytest.raises(UnknownLocaleError, match=r"'fr'.*en, zh-CN, it, vi"):
        load_template().labels("fr")


@pytest.fixture
def broken_copy(tmp_path: Path) -> Path:
    src = load_template().path
    dst = tmp_path / "tpl"
    shutil.copytree(src, dst)
    return dst


def _edit(path: Path, edit: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_unknown_type_names_file_sheet_and_column(broken_copy: Path) -> None:
    def edit(d: dict) -> None:  # type: ignore[type-arg]
        d["sheets"][1]["columns"][3]["type"] = "datum"

    _edit(broken_copy / "template.yaml", edit)
    with pytest.raises(TemplateError) as info:
        load_template(broken_copy)
    message = str(info.value)
    assert "template.yaml" in message
    assert "sheet 'visits'" in message
    assert "column 'visit_date'" in message
    assert "unknown type 'datum'" in message


def test_choice_list_that_does_not_exist(broken_copy: Path) -> None:
    def edit(d: dict) -> None:  # type: ignore[type-arg]
        d["sheets"][0]["columns"][2]["choices"] = "genders"

    _edit(broken_copy / "template.yaml", edit)
    with pytest.raises(TemplateError, match=r"column 'gender'.*'genders' is not a declared list"):
        load_template(broken_copy)


def test_missing_header_in_a_locale(broken_copy: Path) -> None:
    def edit(d: dict) -> None:  # type: ignore[type-arg]
        del d["columns"]["visits"]["service"]

    _edit(broken_copy / "locales" / "it.yaml", edit)
    with pytest.raises(TemplateError) as info:
        load_template(broken_copy)
    assert "it.yaml" in str(info.value)
    assert "column 'service'" in str(info.value)


def test_help_text_too_long_for_excel(broken_copy: Path) -> None:
    def edit(d: dict) -> None:  # type: ignore[type-arg]
        d["columns"]["clients"]["notes"]["help"] = "x" * 300

    _edit(broken_copy / "locales" / "vi.yaml", edit)
    with pytest.raises(TemplateError, match=r"vi.yaml.*column 'notes'.*300 characters; the limit is 255"):
        load_template(broken_copy)


def test_duplicate_choice_labels(broken_copy: Path) -> None:
    def edit(d: dict) -> None:  # type: ignore[type-arg]
        d["choices"]["gender"]["male"] = d["choices"]["gender"]["female"]

    _edit(broken_copy / "locales" / "en.yaml", edit)
    with pytest.raises(TemplateError, match="not distinct"):
        load_template(broken_copy)


def test_invalid_yaml_and_missing_file(broken_copy: Path) -> None:
    (broken_copy / "template.yaml").write_text("sheets: [unclosed", encoding="utf-8")
    with pytest.raises(TemplateError, match="not valid YAML"):
        load_template(broken_copy)
    (broken_copy / "template.yaml").unlink()
    with pytest.raises(TemplateError, match="file not found"):
        load_template(broken_copy)


def test_column_declared_twice(broken_copy: Path) -> None:
    def edit(d: dict) -> None:  # type: ignore[type-arg]
        d["sheets"][2]["columns"].append(dict(d["sheets"][2]["columns"][0]))

    _edit(broken_copy / "template.yaml", edit)
    with pytest.raises(TemplateError, match=r"sheet 'appointments'.*column 'appointment_id'.*declared twice"):
        load_template(broken_copy)
