"""Transactional-only accounts and key-person risks, planted and detected (METRICS §7)."""

from __future__ import annotations

from typing import Any

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.company import Company
from keyaccount.data.demo.days import Calendar
from keyaccount.data.demo.planted.relationships import Relations
from keyaccount.data.demo.vocabulary import EXECUTIVE, IT, PRODUCTION, RND


def truth_relationships(co: Company, planted: dict[str, Any]) -> dict[str, Any]:
    """The planted relationship risks, and every account meeting their definitions."""
    cid = co.cust.id
    detected = _relationship_flags(co.relations, co.cal, co.cust.n)
    return {
        "transactional_only": [cid(c) for c in planted["transactional_only"]],
        "key_person_risk": {cid(c): v for c, v in planted["key_person_risk"].items()},
        "well_covered": [cid(c) for c in planted["well_covered"]],
        "relationships_detected": {k: [cid(c) for c in v] for k, v in detected.items()},
    }


def _relationship_flags(rel: Relations, cal: Calendar, n: int) -> dict[str, Arr]:
    active_lo = cal.end - 180 + 1
    recent = rel.inter_day >= active_lo
    active_contact = np.zeros(len(rel.contact_cust), dtype=bool)
    active_contact[rel.inter_contact[recent]] = True
    depts = np.zeros((n, 6), dtype=bool)
    depts[rel.contact_cust[active_contact], rel.contact_dept[active_contact]] = True
    any_active = depts.any(axis=1)
    transactional = any_active & ~depts[:, [RND, PRODUCTION, IT, EXECUTIVE]].any(axis=1)
    in_year = rel.inter_day >= cal.ttm[0]
    per_cust = np.bincount(rel.inter_cust[in_year], minlength=n)
    pairs = (
        rel.inter_cust[in_year] * (int(rel.inter_employee.max()) + 1) + rel.inter_employee[in_year]
    )
    uniq, counts = np.unique(pairs, return_counts=True)
    top = np.zeros(n)
    np.maximum.at(top, uniq // (int(rel.inter_employee.max()) + 1), counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(per_cust > 0, top / per_cust, 0)
    active_count = np.bincount(rel.contact_cust[active_contact], minlength=n)
    return {
        "transactional_only": np.flatnonzero(transactional),
        "key_person_risk": np.flatnonzero((share > 0.8) | (active_count == 1)),
    }
