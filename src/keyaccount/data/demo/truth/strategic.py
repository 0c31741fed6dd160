"""The strategic accounts planted for key-account tiering (METRICS §9)."""

from __future__ import annotations

from typing import Any

import numpy as np

from keyaccount.data.demo.company import Company


def truth_strategic(co: Company, group: dict[str, Any]) -> dict[str, Any]:
    """The accounts marked strategic: the key accounts with units and the top group.

    Ids are accounts as the audit rolls them up (the group under its parent's id).
    """
    key_accounts = [co.cust.id(c) for c in np.unique(co.units.cust)]
    parent = co.cust.id(group["parent"])
    return {
        "accounts": sorted([*key_accounts, parent]),
        "key_accounts": key_accounts,
        "group": parent,
    }
