"""Pre-sales: sample-only customers and POC conversions (METRICS §8)."""

from __future__ import annotations

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.customers import ROLE_POC, ROLE_SAMPLE_ONLY, Customers, make_steady
from keyaccount.data.demo.days import Calendar
from keyaccount.data.demo.segments import Segments
from keyaccount.data.demo.vocabulary import FREE, PILOT, POC, SAMPLE

N_SAMPLE_ONLY = 20
N_POC_CONVERTED = 10

_PRE_SALES_VALUE = {SAMPLE: (3e3, 1.5e4), POC: (2e4, 6e4), PILOT: (1e4, 4e4), FREE: (2e3, 8e3)}


def plant_sample_only(
    rng: np.random.Generator, cust: Customers, cal: Calendar, segs: Segments, idx: Arr
) -> list[int]:
    """Plant sample-only customers (METRICS §8 pseudo-scale).

    One to three sample, POC, trial or free deals each, and never a commercial order.
    """
    cust.role[idx] = ROLE_SAMPLE_ONLY
    k = len(idx)
    first = rng.integers(cal.start + 365, cal.end - 90, k)
    make_steady(cust, cal, idx, first)
    last = np.minimum(first + 240, cal.end)
    cust.active_from[idx], cust.last_day[idx] = first, last
    cycle = np.array([POC, SAMPLE, PILOT, FREE])
    low = np.array([_PRE_SALES_VALUE[int(d)][0] for d in cycle])
    high = np.array([_PRE_SALES_VALUE[int(d)][1] for d in cycle])
    deal = np.arange(k) % 4  # every fourth starts with a POC, the others with samples/trials
    segs.add(
        idx, first, first, 1, rng.uniform(low[deal], high[deal]), deal=cycle[deal], single=True
    )
    for chance in (0.5, 0.25):  # sometimes a second and a third deal, never an order
        deal = rng.integers(0, 4, k)
        more = rng.random(k) < chance
        segs.add(
            idx[more],
            (first + 30)[more],
            last[more],
            1,
            rng.uniform(low[deal], high[deal])[more],
            deal=cycle[deal][more],
            single=True,
        )
    return [int(i) for i in idx]


def plant_poc_conversions(
    rng: np.random.Generator, cust: Customers, cal: Calendar, segs: Segments, idx: Arr
) -> dict[int, tuple[int, int]]:
    """Plant POC conversions (METRICS §8).

    One or two POC deals, then the first commercial order 60-240 days later and steady
    buying after it.
    """
    cust.role[idx] = ROLE_POC
    k = len(idx)
    poc = rng.integers(cal.start + 60, cal.end - 420, k)
    conversion = poc + rng.integers(60, 241, k)
    make_steady(cust, cal, idx, poc)
    cust.active_from[idx] = conversion
    segs.add(idx, poc, poc, 1, rng.uniform(2e4, 6e4, k), deal=POC, single=True)
    second = rng.random(k) < 0.5
    segs.add(
        idx[second],
        (poc + 10)[second],
        (poc + 40)[second],
        1,
        rng.uniform(2e4, 6e4, k)[second],
        deal=POC,
        single=True,
    )
    value = cust.size[idx] / cust.freq[idx]
    segs.add(idx, conversion, conversion, 1, value)
    years = (cal.end - conversion) / 365.25
    segs.add(
        idx,
        conversion + 1,
        cal.end,
        rng.poisson(cust.freq[idx] * years),
        value,
        trend=cust.trend[idx],
    )
    return {int(i): (int(p), int(c)) for i, p, c in zip(idx, poc, conversion, strict=True)}
