"""The salon's reference lists: branches, therapists, categories, services and payment methods.

:func:`make_catalogue` starts from the template's localized default lists, names the
branches (after real cities of the locale when there are several) and staffs each with 3-6
therapists; :class:`Catalogue` keeps those lists as the index arrays the sheet builders
draw from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sheetkit.demo.columns import FloatArr, Groups, IntArr, ObjArr, objects, probs
from sheetkit.demo.draw import Draw
from sheetkit.demo.tables import BRANCH_CITIES, PAYMENTS
from sheetkit.template.defaults import default_lists


@dataclass(frozen=True)
class Catalogue:
    """The reference lists (``lists``, as written to the workbook) and the arrays drawn from them."""

    lists: dict[str, pd.DataFrame]
    branch_names: ObjArr
    therapist_names: ObjArr
    #: Therapists by branch index.
    branch_therapists: Groups
    category_keys: list[str]
    category_interval: FloatArr
    service_names: ObjArr
    #: The template key of each service (the default lists are the demo's lists).
    service_keys: list[str]
    service_price: FloatArr
    #: Days a passing patch test stays valid for each service; 0 when it needs none.
    service_patch_days: IntArr
    service_cat: IntArr
    #: Services by category index.
    category_services: Groups
    #: A typical price: card balances are drawn in multiples of it.
    price_scale: float
    #: The amount paid that earns one loyalty point.
    point_unit: float
    pay_names: ObjArr
    pay_probs: FloatArr
    #: Index of the membership-card payment method, if the template has one.
    card_method: int | None


def make_catalogue(draw: Draw, n_branches: int) -> Catalogue:
    """The localized default lists with ``n_branches`` branches and their therapists."""
    t = draw.template
    lists = default_lists(t, draw.labels)
    names = [str(n) for n in lists["branches"]["name"]] if n_branches == 1 else _city_branches(draw, n_branches)
    lists["branches"] = pd.DataFrame({"name": names}, columns=["name"])
    therapists, t_branch = _therapists(draw, n_branches)
    t_cols = [c.key for c in t.reference_lists["therapists"].columns]
    lists["therapists"] = pd.DataFrame({"name": therapists, "branch": [names[b] for b in t_branch]}, columns=t_cols)

    categories, services = lists["categories"], lists["services"]
    cat_keys = [str(r["key"]) for r in t.reference_lists["categories"].default_rows]
    cat_index = {str(name): i for i, name in enumerate(categories["name"])}
    service_price = np.asarray(services["price"].astype("float64"), dtype=np.float64)
    service_cat = np.array([cat_index[str(c)] for c in services["category"]], dtype=np.int64)
    median_price = float(np.median(service_price)) if len(service_price) else 1.0
    price_scale = max(median_price, 1.0)

    service_keys = [str(r["key"]) for r in t.reference_lists["services"].default_rows]
    patch_days = pd.to_numeric(services.get("patch_test_valid_days", pd.Series(0, index=services.index)))
    pay_keys = [str(r["key"]) for r in t.reference_lists["payment_methods"].default_rows]
    card = "membership_card"
    return Catalogue(
        lists=lists,
        branch_names=objects(names),
        therapist_names=objects(therapists),
        branch_therapists=Groups.of(np.array(t_branch, dtype=np.int64), n_branches),
        category_keys=cat_keys,
        category_interval=np.asarray(categories["recommended_interval_days"].astype("float64"), dtype=np.float64),
        service_names=objects([str(s) for s in services["name"]]),
        service_keys=service_keys,
        service_price=service_price,
        service_patch_days=np.asarray(patch_days.fillna(0), dtype=np.int64),
        service_cat=service_cat,
        category_services=Groups.of(service_cat, len(cat_keys)),
        price_scale=price_scale,
        point_unit=10.0 ** max(0, math.floor(math.log10(price_scale)) - 1),
        pay_names=objects([str(p) for p in lists["payment_methods"]["name"]]),
        pay_probs=probs(pay_keys, draw.flavour(PAYMENTS), default=0.05),
        card_method=pay_keys.index(card) if card in pay_keys else None,
    )


def _city_branches(draw: Draw, n_branches: int) -> list[str]:
    """``n_branches`` distinct branch names after real cities of the locale, in a seeded order.

    A chain with more branches than the list has cities opens second ones: "Milano 2".
    """
    cities = draw.flavour(BRANCH_CITIES)
    order = draw.rng.permutation(len(cities))
    names: list[str] = []
    for i in range(n_branches):
        city, again = cities[int(order[i % len(cities)])], i // len(cities)
        names.append(f"{city} {again + 1}" if again else city)
    return names


def _therapists(draw: Draw, n_branches: int) -> tuple[list[str], list[int]]:
    """Unique therapist names (mostly women, first names only) and their branch, 3-6 per branch."""
    rng, fake = draw.rng, draw.fake
    therapists: list[str] = []
    t_branch: list[int] = []
    for b in range(n_branches):
        for _ in range(int(rng.integers(3, 7))):
            female = rng.random() < 0.9
            for attempt in range(100):
                first = str(fake.first_name_female() if female else fake.first_name_male())
                name = first if attempt < 20 else f"{first} {str(fake.last_name())[:1]}."
                if name not in therapists:
                    break
            else:
                name = f"{first} {len(therapists) + 1}"
            therapists.append(name)
            t_branch.append(b)
    return therapists, t_branch
