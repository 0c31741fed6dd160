"""The satisfaction surveys: a yearly CSAT wave, and June waves for the planted accounts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.customers import ROLE_SAMPLE_ONLY, Customers
from keyaccount.data.demo.days import Calendar, day_number, ymd
from keyaccount.data.demo.planted.shrinkers import Recipe
from keyaccount.data.demo.vocabulary import SURVEY_COMMENTS


def _survey_waves(cal: Calendar, month: int) -> list[int]:
    first_year, _, _ = ymd(np.array([cal.crm_start]))
    last_year, _, _ = ymd(np.array([cal.end]))
    waves = [
        day_number(date(y, month, 10)) for y in range(int(first_year[0]), int(last_year[0]) + 1)
    ]
    return [w for w in waves if cal.crm_start <= w <= cal.end - 25]


def draw_surveys(
    rng: np.random.Generator,
    cust: Customers,
    cal: Calendar,
    shrinkers: Sequence[dict[str, Any]],
    key_accounts: Arr,
) -> dict[str, Arr]:
    """Draw the satisfaction surveys.

    A December CSAT wave answered by 15-50% of active customers (a few on the NPS scale),
    plus June waves for key accounts and the planted shrinkers, whose scores follow their
    recipes (satisfied traitors, unsatisfied decoys).
    """
    december, june = _survey_waves(cal, 12), _survey_waves(cal, 6)
    size_rank = np.argsort(np.argsort(cust.size)) / max(cust.n - 1, 1)
    mood = rng.normal(3.9 + 1.5 * cust.trend, 0.6)
    nps_scale = rng.random(cust.n) < 0.06
    special = np.zeros(cust.n, dtype=bool)
    special[[s["customer"] for s in shrinkers]] = True
    rows: list[Arr] = []
    for wave in december:
        active = (
            (cust.active_from <= wave)
            & (cust.last_day >= wave)
            & ~special
            & (cust.role != ROLE_SAMPLE_ONLY)
        )
        who = np.flatnonzero(active & (rng.random(cust.n) < 0.15 + 0.35 * size_rank))
        csat = np.clip(np.rint(mood[who] + rng.normal(0, 0.5, len(who))), 1, 5)
        nps = np.clip(np.rint(2 * mood[who] + rng.normal(0, 1.0, len(who))), 0, 10)
        rows.append(
            np.stack(
                [
                    who,
                    wave + rng.integers(0, 20, len(who)),
                    np.where(nps_scale[who], nps, csat),
                    nps_scale[who],
                ]
            )
        )
    for wave in june:
        who = np.asarray(key_accounts)
        rows.append(
            np.stack(
                [
                    who,
                    wave + rng.integers(0, 20, len(who)),
                    rng.choice([4, 5], size=len(who)),
                    np.zeros(len(who)),
                ]
            )
        )
    planned: list[list[float]] = []
    waves = sorted(december + june)
    for s in shrinkers:
        recipe: Recipe = s["recipe"]
        last = len(waves) - 1
        for j, wave in enumerate(waves):  # satisfied in the early waves, then the recipe
            score = (
                recipe.latest
                if j == last
                else recipe.earlier
                if j == last - 1
                else (9 if recipe.nps else 4)
            )
            planned.append(
                [s["customer"], wave + int(rng.integers(0, 15)), score, 1 if recipe.nps else 0]
            )
    rows.append(np.array(planned, dtype=float).T.reshape(4, -1))
    table = np.concatenate(rows, axis=1)
    table = table[:, np.lexsort((table[0], table[1]))]
    has_comment = rng.random(table.shape[1]) < 0.3
    comment = np.where(has_comment, rng.integers(0, len(SURVEY_COMMENTS), table.shape[1]), -1)
    return {
        "cust": table[0].astype(np.int64),
        "day": table[1].astype(np.int64),
        "score": table[2].astype(np.int64),
        "nps": table[3].astype(bool),
        "comment": comment,
    }
