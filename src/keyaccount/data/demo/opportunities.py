"""The CRM funnel: acquisition and new-project opportunities since the CRM went live."""

from __future__ import annotations

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.customers import (
    ROLE_BACKGROUND,
    ROLE_BLACK_HOLE,
    ROLE_GROUP,
    ROLE_KEY_ACCOUNT,
    Customers,
)
from keyaccount.data.demo.days import Calendar
from keyaccount.data.demo.facts import Facts
from keyaccount.data.demo.industries import INDUSTRIES
from keyaccount.data.demo.vocabulary import LOST_REASONS


def draw_opportunities(
    rng: np.random.Generator, cust: Customers, facts: Facts, cal: Calendar
) -> dict[str, Arr]:
    """Draw the CRM funnel since go-live.

    Won acquisition deals before a new customer's first order (for 60% of them; the rest came
    without a logged deal) after as many lost attempts as the industry's win rate implies, and
    new-project deals on tracked accounts won at that rate (20-40%, varying by industry,
    METRICS §10), some still open at the as-of date.
    """
    n = cust.n
    win_p = np.array([ind.win for ind in INDUSTRIES] + [0.25])
    p_of = win_p[np.where(cust.industry < 0, len(INDUSTRIES), cust.industry)]
    fc = facts.first_commercial
    won_acq = np.flatnonzero(~cust.legacy & (fc >= cal.crm_start + 160) & (rng.random(n) < 0.6))
    created_w = fc[won_acq] - rng.integers(30, 151, len(won_acq))
    closed_w = fc[won_acq] - rng.integers(0, 16, len(won_acq))
    # Earlier attempts on the same account that were lost: as many as the industry's win
    # rate implies, so acquisition deals alone win at that rate too.
    tries = rng.geometric(p_of[won_acq]) - 1
    lost_acq = np.repeat(won_acq, tries)
    room = np.repeat(created_w, tries) - 20 - cal.crm_start
    created_l = cal.crm_start + (rng.random(len(lost_acq)) * room).astype(np.int64)
    closed_l = np.minimum(
        created_l + rng.integers(20, 120, len(lost_acq)), np.repeat(created_w, tries) - 5
    )
    acq = np.concatenate([won_acq, lost_acq])
    created_a = np.concatenate([created_w, created_l])
    closed_a = np.concatenate([closed_w, closed_l])
    won_a = np.concatenate(
        [np.ones(len(won_acq), dtype=np.int64), np.zeros(len(lost_acq), dtype=np.int64)]
    )
    size_rank = np.argsort(np.argsort(cust.size)) / max(n - 1, 1)
    tracked = (
        (size_rank >= 0.4) | np.isin(cust.role, (ROLE_GROUP, ROLE_KEY_ACCOUNT, ROLE_BLACK_HOLE))
    ) & facts.any_commercial
    lo = np.maximum(cust.active_from, cal.crm_start)
    hi = np.minimum(cust.last_day, cal.end)
    years = np.maximum(hi - lo + 1, 0) / 365.25
    count = np.where(
        tracked, rng.poisson(0.8 * years * np.where(cust.role == ROLE_BACKGROUND, 1.0, 2.5)), 0
    )
    c = np.repeat(np.arange(n), count)
    created_e = lo[c] + (rng.random(len(c)) * (hi[c] - lo[c] + 1)).astype(np.int64)
    closed_e = created_e + rng.integers(20, 60, len(c)) + rng.integers(0, 121, len(c))
    won_e = rng.random(len(c)) < p_of[c]
    open_e = closed_e > cal.end
    customer = np.concatenate([acq, c])
    created = np.concatenate([created_a, created_e])
    closed = np.concatenate([closed_a, np.where(open_e, -1, closed_e)])
    won = np.concatenate([won_a, np.where(open_e, -1, won_e)])
    amount = np.round(
        np.maximum(cust.size[customer] * rng.lognormal(-1.0, 0.6, len(customer)), 5000), -3
    )
    stage = np.where(won == 1, 3, np.where(won == 0, 4, rng.integers(0, 3, len(customer))))
    lost_reason = np.where(won == 0, rng.integers(0, len(LOST_REASONS), len(customer)), -1)
    order = np.lexsort((customer, created))
    return {
        "cust": customer[order],
        "created": created[order],
        "closed": closed[order],
        "won": won[order],
        "amount": amount[order],
        "stage": stage[order],
        "lost_reason": lost_reason[order],
    }
