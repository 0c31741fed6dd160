"""The relationship map: contacts and interactions, with planted risks (METRICS §7)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.customers import ROLE_BACKGROUND, ROLE_GROUP, ROLE_KEY_ACCOUNT, Customers
from keyaccount.data.demo.days import Calendar, sample_days
from keyaccount.data.demo.facts import Facts
from keyaccount.data.demo.people import Staff, person_names
from keyaccount.data.demo.vocabulary import (
    DEPARTMENT_WEIGHTS,
    EXECUTIVE,
    FINANCE,
    INTERACTION_WEIGHTS,
    IT,
    PROCUREMENT,
    PRODUCTION,
    RND,
)

N_TRANSACTIONAL = 5
N_KEY_PERSON_EMPLOYEE = 3
N_KEY_PERSON_SINGLE = 2
N_WELL_COVERED = 5


@dataclass(frozen=True)
class Relations:
    """Contacts (the relationship map) and interactions with them."""

    contact_cust: Arr
    contact_dept: Arr
    contact_seniority: Arr
    contact_name: Arr
    contact_owner: Arr
    inter_cust: Arr
    inter_day: Arr
    inter_contact: Arr
    inter_employee: Arr
    inter_type: Arr


@dataclass(frozen=True)
class _Design:
    """The planted relationship map of one account."""

    departments: tuple[int, ...]
    employees: int  # how many of our people share the last year's interactions
    owner_share: float  # share of the last year's interactions held by the account manager


_WELL_COVERED = _Design(
    (PROCUREMENT, FINANCE, RND, PRODUCTION, IT, EXECUTIVE, RND, PRODUCTION), 4, 0.25
)
_TRANSACTIONAL = _Design((PROCUREMENT, FINANCE, PROCUREMENT), 2, 0.5)
_KEY_PERSON_EMPLOYEE = _Design((PROCUREMENT, RND, PRODUCTION, EXECUTIVE), 2, 0.95)
_KEY_PERSON_SINGLE = _Design((PRODUCTION,), 3, 0.34)


def plant_relationships(
    rng: np.random.Generator,
    cust: Customers,
    facts: Facts,
    cal: Calendar,
    staff: Staff,
    key_accounts: Arr,
) -> tuple[Relations, dict[str, Any]]:
    """Plant the relationship map (METRICS §7 multithreading and key-person risk).

    Transactional-only accounts (contacts only in 采购部/财务部, visited recently), key-person
    risks (one of our people holds ~95% of the last year's interactions, or one single
    contact) and well-covered key accounts (6 departments active, 4 of our people at 25%
    each) as decoys for both. The rest is background: 1-7 contacts, mostly the account
    manager's visits since the CRM went live.
    """
    n = cust.n
    eligible = np.flatnonzero(
        (cust.role == ROLE_BACKGROUND)
        & (cust.last_day == cal.end)
        & (facts.revenue[:, 0] > 0)
        & (cust.first_day <= cal.end - 365)
    )
    picks = rng.choice(
        eligible, size=N_TRANSACTIONAL + N_KEY_PERSON_EMPLOYEE + N_KEY_PERSON_SINGLE, replace=False
    )
    transactional = picks[:N_TRANSACTIONAL]
    kp_employee = picks[N_TRANSACTIONAL : N_TRANSACTIONAL + N_KEY_PERSON_EMPLOYEE]
    kp_single = picks[N_TRANSACTIONAL + N_KEY_PERSON_EMPLOYEE :]
    well = key_accounts[:N_WELL_COVERED]
    designs: dict[int, _Design] = {}
    for group, design in (
        (transactional, _TRANSACTIONAL),
        (kp_employee, _KEY_PERSON_EMPLOYEE),
        (kp_single, _KEY_PERSON_SINGLE),
        (well, _WELL_COVERED),
    ):
        designs.update({int(c): design for c in group})
    planted = np.array(sorted(designs), dtype=np.int64)

    count = np.clip(1 + rng.poisson(0.9 * (cust.size / 2.5e5) ** 0.25), 1, 7)
    big = (cust.role == ROLE_KEY_ACCOUNT) | (cust.role == ROLE_GROUP)
    count[big] = rng.integers(6, 11, int(big.sum()))
    for c, design in designs.items():
        count[c] = len(design.departments)
    contact_cust = np.repeat(np.arange(n), count)
    offset = np.cumsum(count) - count
    dept = rng.choice(6, size=len(contact_cust), p=DEPARTMENT_WEIGHTS)
    for c, design in designs.items():
        dept[offset[c] : offset[c] + count[c]] = design.departments
    owner = np.where(
        rng.random(len(contact_cust)) < 0.7,
        cust.owner[contact_cust],
        rng.integers(0, len(staff.names), len(contact_cust)),
    )

    # Background interactions since the CRM went live, mostly by the account manager.
    lo = np.maximum(cust.active_from, cal.crm_start)
    hi = np.minimum(cust.last_day + 60, cal.end)
    rate = np.clip(2.0 * (cust.size / 2.5e5) ** 0.3, 0.5, 15) * np.where(big, 3.0, 1.0)
    k = np.where(hi >= lo, rng.poisson(rate * np.maximum(hi - lo + 1, 0) / 365.25), 0)
    k[planted] = 0
    i_cust = np.repeat(np.arange(n), k)
    i_day = sample_days(rng, cal, lo[i_cust], hi[i_cust])
    i_contact = offset[i_cust] + (rng.random(len(i_cust)) * count[i_cust]).astype(np.int64)
    i_emp = np.where(
        rng.random(len(i_cust)) < 0.7,
        cust.owner[i_cust],
        rng.integers(0, len(staff.names), len(i_cust)),
    )
    i_type = rng.choice(5, size=len(i_cust), p=INTERACTION_WEIGHTS)

    extra = [
        _designed_interactions(rng, cust, cal, staff, c, designs[c], int(offset[c]))
        for c in sorted(designs)
    ]
    parts = [np.stack([i_cust, i_day, i_contact, i_emp, i_type]), *extra]
    allx = np.concatenate(parts, axis=1)
    allx = allx[:, np.lexsort((allx[2], allx[0], allx[1]))]
    relations = Relations(
        contact_cust=contact_cust,
        contact_dept=dept,
        contact_seniority=rng.choice(5, size=len(contact_cust), p=[0.3, 0.25, 0.25, 0.12, 0.08]),
        contact_name=person_names(rng, len(contact_cust), distinct=False),
        contact_owner=owner,
        inter_cust=allx[0],
        inter_day=allx[1],
        inter_contact=allx[2],
        inter_employee=allx[3],
        inter_type=allx[4],
    )
    planted_info = {
        "transactional_only": [int(c) for c in transactional],
        "key_person_risk": {int(c): "employee_share" for c in kp_employee}
        | {int(c): "single_contact" for c in kp_single},
        "well_covered": [int(c) for c in well],
    }
    return relations, planted_info


def _designed_interactions(
    rng: np.random.Generator,
    cust: Customers,
    cal: Calendar,
    staff: Staff,
    c: int,
    design: _Design,
    offset: int,
) -> Arr:
    """Build the interactions of one planted account.

    24 in the last year (with every contact in the last 150 days), shared by our people as
    designed, plus a few older ones.
    """
    n_contacts = len(design.departments)
    year_lo = cal.ttm[0]
    recent = 24
    days = np.sort(rng.integers(year_lo, cal.end - 5, recent))
    days[-n_contacts:] = np.sort(rng.integers(cal.end - 150, cal.end - 5, n_contacts))
    contacts = offset + np.arange(recent) % n_contacts
    others = rng.choice(
        np.setdiff1d(np.arange(staff.sales), [cust.owner[c]]),
        size=max(design.employees - 1, 1),
        replace=False,
    )
    team = np.concatenate([[cust.owner[c]], others])[: design.employees]
    owner_count = round(design.owner_share * recent)
    employees = np.concatenate(
        [
            np.full(owner_count, cust.owner[c]),
            team[1:][np.arange(recent - owner_count) % max(len(team) - 1, 1)],
        ]
    )
    employees = employees[rng.permutation(recent)]
    old_days = (
        rng.integers(cal.crm_start, year_lo, 6)
        if year_lo > cal.crm_start
        else np.zeros(0, dtype=np.int64)
    )
    m = len(old_days)
    return np.stack(
        [
            np.full(recent + m, c, dtype=np.int64),
            np.concatenate([days, old_days]),
            np.concatenate([contacts, offset + rng.integers(0, n_contacts, m)]),
            np.concatenate([employees, np.full(m, cust.owner[c])]),
            np.concatenate(
                [rng.choice(4, size=recent, p=[0.45, 0.35, 0.1, 0.1]), rng.choice(4, size=m)]
            ),
        ]
    ).astype(np.int64)
