"""The customer base: every customer's attributes as arrays, and the background's draw."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.company_names import company_names
from keyaccount.data.demo.days import Calendar, day_number
from keyaccount.data.demo.industries import CATCH_ALL, GENERIC_MIX, INDUSTRIES
from keyaccount.data.demo.people import Staff
from keyaccount.data.demo.text import id_text, pick_labels

ROLE_BACKGROUND, ROLE_GROUP, ROLE_BLACK_HOLE, ROLE_KEY_ACCOUNT = 0, 1, 2, 3
ROLE_TRAITOR, ROLE_DECOY, ROLE_SAMPLE_ONLY, ROLE_POC = 4, 5, 6, 7

_EARLIEST_FIRST_DATE = date(2012, 1, 1)


@dataclass
class Customers:
    """Every customer's attributes, one array element per customer (index = id order)."""

    n: int
    name_code: Arr
    name: Arr
    industry: Arr  # index into INDUSTRIES, -1 when empty
    industry_label: Arr
    level2: Arr
    city: Arr
    ownership: Arr
    source: Arr
    owner: Arr  # staff index of the account manager
    parent: Arr  # customer index of the group parent, -1
    lighthouse: Arr
    strategic: Arr
    joint_rnd: Arr
    legacy: Arr  # a customer since before the history starts
    first_day: Arr
    active_from: Arr
    last_day: Arr
    one_time: Arr
    gap: Arr  # (n, 2): first and last day of a pause in buying (reactivation), -1
    size: Arr  # yearly revenue scale, yuan
    freq: Arr  # invoices per year
    trend: Arr  # yearly growth of invoice values
    mix: Arr  # (n, 5) product-line probabilities
    terms: Arr  # payment terms, days
    delay: Arr  # mean days paid after the due date
    slow_pay: Arr  # pays 150-180 days after the invoice
    rebate: Arr  # rebate rate on commercial lines
    gross_margin: Arr  # override of the product-line margins (NaN = none)
    project_rate: Arr
    project_slots: Arr
    role: Arr

    @property
    def ids(self) -> Any:
        """Customer ids (KH000001 …) as a pyarrow string array."""
        return id_text("KH", np.arange(1, self.n + 1), 6)

    def id(self, index: int | np.integer[Any]) -> str:
        """The customer id of one customer index."""
        return f"KH{int(index) + 1:06d}"


def _industry_mix(rng: np.random.Generator, industry: Arr) -> Arr:
    alpha = np.array([*(ind.mix for ind in INDUSTRIES), GENERIC_MIX])
    draws = rng.gamma(alpha[np.where(industry < 0, len(INDUSTRIES), industry)])
    draws = np.maximum(draws, 1e-9)
    return draws / draws.sum(axis=1, keepdims=True)


def set_industry(rng: np.random.Generator, cust: Customers, idx: Arr, industry: int) -> None:
    """Move customers to an industry: label, level 2, product mix and a fitting name."""
    idx = np.asarray(idx)
    cust.industry[idx] = industry
    cust.industry_label[idx] = INDUSTRIES[industry].name
    l2 = INDUSTRIES[industry].level2
    cust.level2[idx] = pick_labels(l2, rng.integers(0, len(l2), len(idx)))
    cust.mix[idx] = _industry_mix(rng, cust.industry[idx])
    cust.name[idx], cust.city[idx] = company_names(rng, cust.name_code[idx], cust.industry[idx])


def draw_customers(
    rng: np.random.Generator, n: int, cal: Calendar, staff: Staff, name_codes: Arr
) -> Customers:
    """Draw the background customer base.

    Who they are, how much and how often they buy, and when they come (cohorts growing every
    year) and go (churn, pauses, one-off buyers).
    """
    weights = np.array([ind.weight for ind in INDUSTRIES[:CATCH_ALL]])
    industry = rng.choice(CATCH_ALL, size=n, p=weights / weights.sum()).astype(np.int64)
    label = pick_labels([ind.name for ind in INDUSTRIES], industry)
    l2_counts = np.array([len(ind.level2) for ind in INDUSTRIES])
    l2_table = np.array(
        [list(ind.level2) + [None] * (4 - len(ind.level2)) for ind in INDUSTRIES], dtype=object
    )
    level2 = l2_table[industry, (rng.random(n) * l2_counts[industry]).astype(np.int64)]
    name, city = company_names(rng, name_codes, industry)

    legacy = rng.random(n) < 0.30
    earliest = min(day_number(_EARLIEST_FIRST_DATE), cal.start - 1826)  # or 5 years before
    legacy_first = rng.integers(earliest, cal.start - 30, n)
    horizon = (cal.end - 14 - cal.start) / 365.25
    growth = 0.18  # each year brings more new customers than the last
    t = np.log1p(rng.random(n) * math.expm1(growth * horizon)) / growth
    acquired = cal.start + np.floor(t * 365.25).astype(np.int64)
    active_from = np.where(legacy, cal.start, acquired)
    one_time = ~legacy & (rng.random(n) < 0.12)
    life = np.where(legacy, rng.weibull(1.0, n) * 9.0, rng.weibull(0.8, n) * 6.0)
    last_day = np.minimum(active_from + (life * 365.25).astype(np.int64), cal.end)
    last_day = np.where(one_time, active_from, np.maximum(last_day, active_from))
    span = last_day - active_from
    gap_len = rng.integers(395, 600, n)
    room = span - 240 - gap_len
    has_gap = ~one_time & (span >= 900) & (room > 0) & (rng.random(n) < 0.15)
    gap_start = active_from + 120 + (rng.random(n) * np.maximum(room, 0)).astype(np.int64)
    gap = np.where(has_gap[:, None], np.stack([gap_start, gap_start + gap_len], axis=1), -1)

    frac = np.where(legacy, 0.0, (active_from - cal.start) / max(cal.end - cal.start, 1))
    referral = 0.12 + 0.25 * frac  # word of mouth grows as the base matures
    u = rng.random(n)
    source = np.select([u < referral, u < referral + 0.25, u < referral + 0.53], [0, 1, 2], 3)

    size = np.clip(rng.lognormal(math.log(2.5e5), 1.1, n), 2e4, 2.5e7)
    freq = np.clip(10.5 * (size / 2.5e5) ** 0.3 * rng.lognormal(0, 0.35, n), 1, 60)
    return Customers(
        n=n,
        name_code=name_codes,
        name=name,
        industry=industry,
        industry_label=label,
        level2=level2,
        city=city,
        ownership=rng.choice(5, size=n, p=[0.55, 0.15, 0.15, 0.12, 0.03]),
        source=source,
        owner=rng.integers(0, staff.sales, n),
        parent=np.full(n, -1, dtype=np.int64),
        lighthouse=rng.random(n) < 0.03,
        strategic=rng.random(n) < 0.02,
        joint_rnd=rng.random(n) < 0.02,
        legacy=legacy,
        first_day=np.where(legacy, legacy_first, acquired),
        active_from=active_from,
        last_day=last_day,
        one_time=one_time,
        gap=gap,
        size=size,
        freq=freq,
        trend=np.clip(rng.normal(0.04, 0.22, n), -0.5, 0.6),
        mix=_industry_mix(rng, industry),
        terms=rng.choice([30, 60, 90, 120], size=n, p=[0.3, 0.35, 0.3, 0.05]),
        delay=rng.normal(8, 10, n),
        slow_pay=np.zeros(n, dtype=bool),
        rebate=np.where(rng.random(n) < 0.25, rng.uniform(0.005, 0.03, n), 0.0),
        gross_margin=np.full(n, np.nan),
        project_rate=rng.uniform(0.3, 0.9, n),
        project_slots=np.clip(1 + freq // 8, 1, 4).astype(np.int64),
        role=np.zeros(n, dtype=np.int64),
    )


def make_steady(cust: Customers, cal: Calendar, idx: Arr, first_day: Arr) -> None:
    """Planted accounts: customers since ``first_day``, buying until the as-of date."""
    first_day = np.asarray(first_day)
    cust.legacy[idx] = first_day < cal.start
    cust.first_day[idx] = first_day
    cust.active_from[idx] = np.maximum(first_day, cal.start)
    cust.last_day[idx] = cal.end
    cust.one_time[idx] = False
    cust.gap[idx] = -1
