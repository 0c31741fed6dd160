"""Key accounts and their units: penetration, land and expand (METRICS §6)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.company_names import CITIES
from keyaccount.data.demo.customers import ROLE_KEY_ACCOUNT, Customers, make_steady
from keyaccount.data.demo.days import Calendar
from keyaccount.data.demo.lines import Lines
from keyaccount.data.demo.segments import Segments, steady_segments
from keyaccount.data.demo.vocabulary import COMMERCIAL, LISTED, SOE, UNIT_TYPES_ZH

N_KEY_ACCOUNTS = 10

_CN_ORDINALS = "一二三四五六七八"
_BU_WORDS = ("传感", "电驱", "热管理", "底盘", "储能", "装配", "检测", "物流")


@dataclass(frozen=True)
class Units:
    """The account units (plants, bases, BUs) of the key accounts."""

    cust: Arr
    code: Arr
    name: Arr
    unit_type: Arr
    potential: Arr
    adopted: Arr  # adoption day, -1 when not adopted yet


def plant_key_accounts(
    rng: np.random.Generator, cust: Customers, cal: Calendar, segs: Segments, idx: Arr
) -> Units:
    """Plant key accounts with 3-8 units each (METRICS §6 penetration).

    The first unit adopts with the first order (before the history for the older accounts),
    the others over later quarters, some not yet (the whitespace). ``apply_units`` stamps
    the adopted units' 工厂编号 on the invoices after adoption and grows revenue with each
    unit (land and expand).
    """
    cust.role[idx] = ROLE_KEY_ACCOUNT
    cities = [c for c, _ in CITIES]
    rows: dict[str, list[Any]] = {f.name: [] for f in fields(Units)}
    first_days = np.where(
        np.arange(len(idx)) < 4,
        cal.start - rng.integers(200, 1500, len(idx)),
        cal.start + rng.integers(90, 900, len(idx)),
    )
    make_steady(cust, cal, idx, first_days)
    for i, c in enumerate(idx):  # one iteration per key account, not per invoice
        first = int(first_days[i])
        k = int(rng.integers(3, 9))
        later = np.sort(rng.integers(max(first, cal.start - 400) + 60, cal.end + 240, k - 1))
        adopted = np.concatenate([[first], later])
        adopted = np.where(adopted <= cal.end - 30, adopted, -1)
        if i % 3 != 0 and (adopted >= 0).all():
            adopted[-1] = -1  # whitespace left to win
        types = rng.choice(3, size=k, p=[0.6, 0.2, 0.2])
        unit_cities = rng.integers(0, len(cities), k)
        for j in range(k):
            city = cities[int(unit_cities[j])]
            rows["name"].append(
                f"{city}{_CN_ORDINALS[j]}厂"
                if types[j] == 0
                else f"{city}{j + 1}号基地"
                if types[j] == 1
                else f"{_BU_WORDS[j]}事业部"
            )
        rows["cust"] += [int(c)] * k
        rows["code"] += [f"{cust.id(c)}-{j + 1:02d}" for j in range(k)]
        rows["unit_type"] += [UNIT_TYPES_ZH[t] for t in types]
        rows["potential"] += [int(p) for p in rng.integers(80, 900, k)]
        rows["adopted"] += [int(a) for a in adopted]
        # Equal totals per window before apply_units grows them with the adopted units.
        steady_segments(segs, cal, int(c), first, float(rng.uniform(4e6, 1e7)), 90, 0.0)
        if first >= cal.start:
            segs.add(c, first, first, 1, 5e4)  # the first order lands the first unit
    cust.project_rate[idx], cust.project_slots[idx] = 0.8, 4
    mark_strategic(cust, idx)
    return Units(
        **{
            k: np.array(v, dtype=object if k in ("code", "name", "unit_type") else np.int64)
            for k, v in rows.items()
        }
    )


def mark_strategic(cust: Customers, idx: Arr) -> None:
    """Mark the key accounts as the company's strategic accounts (METRICS §9 tiering).

    战略合作, 标杆客户 and 联合研发 set, ownership listed or SOE in turn. Deterministic and
    drawing nothing from the generator, so every other generated value stays the same.
    """
    cust.strategic[idx] = True
    cust.lighthouse[idx] = True
    cust.joint_rnd[idx] = True
    cust.ownership[idx] = np.where(np.arange(len(idx)) % 2 == 0, LISTED, SOE)


def apply_units(rng: np.random.Generator, lines: Lines, units: Units) -> None:
    """Stamp key-account invoices with their units and grow them with adoption.

    Each invoice gets one of the units adopted by its date; its value grows with the number
    of adopted units.
    """
    for c in np.unique(units.cust):
        mine = np.flatnonzero(units.cust == c)
        mine = mine[units.adopted[mine] >= 0]
        mine = mine[np.argsort(units.adopted[mine], kind="stable")]
        sel = np.flatnonzero((lines.cust == c) & (lines.deal == COMMERCIAL))
        adopted_by = np.searchsorted(units.adopted[mine], lines.day[sel], side="right")
        invoices, which = np.unique(lines.inv[sel], return_inverse=True)
        u = rng.random(len(invoices))[which]  # one unit per invoice
        choice = np.minimum((u * adopted_by).astype(np.int64), np.maximum(adopted_by - 1, 0))
        lines.unit[sel] = np.where(adopted_by > 0, mine[choice], -1)
        lines.base[sel] *= (0.5 + adopted_by) / (0.5 + len(mine))
