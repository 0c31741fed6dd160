"""The demo company: a deterministic synthetic Chinese B2B manufacturer and its messy exports.

:func:`generate` invents a maker of industrial sensors, controllers, industrial software,
maintenance services and custom solutions that sells to manufacturers, with ``years`` of
history up to ``end``, and writes every input table of ``DATA_MODEL.md`` the way a Chinese
company hands its data over: GBK and UTF-8 (with and without BOM) CSV and Excel workbooks,
Chinese headers (English ones for the CRM's opportunities), dates written 2024/3/5,
2024-03-05, 20240305, 2024年3月5日 or as Excel dates, amounts with thousands separators and ¥,
万元 and 亿元 columns, 是/否 and Y/N flags, percentages, blank rows and 合计 rows.

On a realistic background (cohorts acquired every year, churn and reactivation, seasonal
invoicing, projects, subscriptions, credit notes, rising acquisition cost, a sales funnel)
it plants the phenomena that the analyses of ``METRICS.md`` must find, each in its own
module of ``planted`` with its ``plant_*`` function:

- ``top_group``: the top customer as a group of a parent and subsidiaries (§1);
- ``black_holes``: large customers with a true margin far below zero (§3);
- ``key_accounts``: key accounts with plants, bases and BUs adopted over time (§6);
- ``shrinkers``: silent traitors and their decoys (§7);
- ``relationships``: transactional-only accounts and key-person risks (§7);
- ``pre_sales``: sample-only customers and POC conversions (§8);
- ``catch_all``: a catch-all industry label, a near duplicate and empty industries (§10).

``truth`` records them, with the figures recomputed from the generated data, in
``demo_truth.json``.

All randomness comes from one ``numpy.random.default_rng(seed)`` and the work is vectorised
(no Python loop per invoice line), so the same arguments give byte-identical files and
200,000 customers (about ten million invoice lines) take minutes.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from keyaccount.data.demo.background import (
    background_segments,
    draw_credit_notes,
    draw_subscriptions,
)
from keyaccount.data.demo.company import Company
from keyaccount.data.demo.company_names import NAME_COMBOS, TARGET_NAMES
from keyaccount.data.demo.costs import draw_costs
from keyaccount.data.demo.customers import draw_customers
from keyaccount.data.demo.days import history_calendar
from keyaccount.data.demo.exports import WRITERS
from keyaccount.data.demo.facts import customer_facts
from keyaccount.data.demo.ledger import finalise_ledger, scale_to_shares
from keyaccount.data.demo.lines import concat_lines, lines_from_segments
from keyaccount.data.demo.opportunities import draw_opportunities
from keyaccount.data.demo.people import draw_staff
from keyaccount.data.demo.planted.black_holes import BLACK_HOLE_SHARES, plant_black_holes
from keyaccount.data.demo.planted.catch_all import plant_catch_all
from keyaccount.data.demo.planted.key_accounts import (
    N_KEY_ACCOUNTS,
    apply_units,
    plant_key_accounts,
)
from keyaccount.data.demo.planted.pre_sales import (
    N_POC_CONVERTED,
    N_SAMPLE_ONLY,
    plant_poc_conversions,
    plant_sample_only,
)
from keyaccount.data.demo.planted.relationships import plant_relationships
from keyaccount.data.demo.planted.shrinkers import (
    DECOY_RECIPES,
    TRAITOR_RECIPES,
    plant_silent_traitors,
    plant_traitor_decoys,
)
from keyaccount.data.demo.planted.top_group import GROUP_SHARES, plant_top_group
from keyaccount.data.demo.segments import Segments
from keyaccount.data.demo.surveys import draw_surveys
from keyaccount.data.demo.targets import draw_targets
from keyaccount.data.demo.truth import build_truth
from keyaccount.data.demo.wallet import draw_wallet

MIN_CUSTOMERS = 200
MAX_CUSTOMERS = 250_000
TRUTH_FILE = "demo_truth.json"


@dataclass(frozen=True)
class DemoFiles:
    """What :func:`generate` wrote: the export files and the truth of what was planted."""

    files: tuple[Path, ...]  # export files, customers first, then invoices, then the rest
    truth_path: Path  # JSON of what was planted
    truth: dict[str, Any]


def generate(
    out_dir: Path,
    *,
    seed: int = 7,
    customers: int = 500,
    end: date = date(2026, 9, 30),
    years: int = 5,
) -> DemoFiles:
    """Generate the demo company into ``out_dir`` and return its files and planted truth.

    ``customers`` rows (200 to 250,000) over ``years`` (3 to 10) ending at ``end``, which is
    the as-of date (the last invoice date). Deterministic: the same arguments give the same
    bytes. The truth is also written to ``out_dir / "demo_truth.json"``.
    """
    if not MIN_CUSTOMERS <= customers <= MAX_CUSTOMERS:
        raise ValueError(
            f"customers must be between {MIN_CUSTOMERS} and {MAX_CUSTOMERS}, not {customers}"
        )
    if not 3 <= years <= 10:
        raise ValueError(f"years must be between 3 and 10, not {years}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    cal = history_calendar(end, years)
    staff = draw_staff(rng, customers)
    codes = rng.choice(NAME_COMBOS, size=customers + TARGET_NAMES, replace=False)
    cust = draw_customers(rng, customers, cal, staff, codes[:customers])
    plant_catch_all(rng, cust)

    roles = rng.permutation(customers)
    sizes = (
        len(GROUP_SHARES),
        len(BLACK_HOLE_SHARES),
        N_KEY_ACCOUNTS,
        len(TRAITOR_RECIPES),
        len(DECOY_RECIPES),
        N_SAMPLE_ONLY,
        N_POC_CONVERTED,
    )
    cuts = np.cumsum((0, *sizes))
    group_idx, holes, key_accounts, traitors, decoys, samples, pocs = (
        roles[a:b] for a, b in itertools.pairwise(cuts)
    )
    group_idx = np.sort(group_idx)
    segs = Segments()
    planted: dict[str, Any] = {
        "group": plant_top_group(rng, cust, cal, segs, group_idx),
        "black_holes": plant_black_holes(rng, cust, cal, segs, holes)["customers"],
    }
    units = plant_key_accounts(rng, cust, cal, segs, key_accounts)
    planted["shrinkers"] = plant_silent_traitors(
        rng, cust, cal, segs, traitors
    ) + plant_traitor_decoys(rng, cust, cal, segs, decoys)
    planted["sample_only"] = plant_sample_only(rng, cust, cal, segs, samples)
    planted["poc_converted"] = plant_poc_conversions(rng, cust, cal, segs, pocs)
    background_segments(rng, cust, cal, segs)

    lines = lines_from_segments(rng, segs, cust, cal)
    apply_units(rng, lines, units)
    subs, sub_lines = draw_subscriptions(rng, cust, cal)
    lines = concat_lines([lines, sub_lines, draw_credit_notes(rng, lines, cust, cal)])
    shares = dict(zip((int(i) for i in group_idx), GROUP_SHARES, strict=True))
    shares |= dict(zip((int(i) for i in holes), BLACK_HOLE_SHARES, strict=True))
    scale_to_shares(lines, cal, customers, shares)
    ledger = finalise_ledger(rng, lines, cust, cal)
    del lines, sub_lines
    uniq, at = np.unique(ledger.cust, return_index=True)
    first_seen = np.full(customers, -1, dtype=np.int64)
    first_seen[uniq] = ledger.day[at]
    cust.first_day = np.where(cust.legacy, cust.first_day, first_seen)

    facts = customer_facts(ledger, cal, customers)
    relations, planted["relations"] = plant_relationships(
        rng, cust, facts, cal, staff, key_accounts
    )
    surveys = draw_surveys(rng, cust, cal, planted["shrinkers"], key_accounts)
    special = np.concatenate([group_idx, holes, key_accounts, traitors, decoys])
    wallet = draw_wallet(rng, cust, facts, cal, planted["shrinkers"], special, end)
    costs = draw_costs(rng, cust, ledger, cal, planted["black_holes"])
    opps = draw_opportunities(rng, cust, facts, cal)
    targets = draw_targets(rng, cust, facts, codes[customers:])

    co = Company(
        seed=seed,
        end=end,
        cal=cal,
        staff=staff,
        cust=cust,
        ledger=ledger,
        facts=facts,
        units=units,
        subs=subs,
        relations=relations,
        surveys=surveys,
        wallet=wallet,
        costs=costs,
        opps=opps,
        targets=targets,
    )
    paths, files = [], {}
    for name, table, write in WRITERS:
        path = out_dir / name
        files[name] = {"table": table, "rows": write(path, co)}
        paths.append(path)
    truth = build_truth(co, planted, files)
    text = json.dumps(truth, ensure_ascii=False, indent=1) + "\n"
    truth_path = out_dir / TRUTH_FILE
    truth_path.write_text(text, encoding="utf-8")
    return DemoFiles(tuple(paths), truth_path, json.loads(text))
