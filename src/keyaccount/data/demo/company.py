"""The generated company in one value, from which the exports and the truth are computed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.customers import Customers
from keyaccount.data.demo.days import Calendar
from keyaccount.data.demo.facts import Facts
from keyaccount.data.demo.ledger import Ledger
from keyaccount.data.demo.people import Staff
from keyaccount.data.demo.planted.key_accounts import Units
from keyaccount.data.demo.planted.relationships import Relations


@dataclass(frozen=True)
class Company:
    """Everything generated, as arrays: what the files are written from."""

    seed: int
    end: date
    cal: Calendar
    staff: Staff
    cust: Customers
    ledger: Ledger
    facts: Facts
    units: Units
    subs: dict[str, Arr]
    relations: Relations
    surveys: dict[str, Arr]
    wallet: dict[str, Arr]
    costs: dict[str, Arr]
    opps: dict[str, Arr]
    targets: dict[str, Arr]
