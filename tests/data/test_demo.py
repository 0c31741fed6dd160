"""The demo company: deterministic, messy the way real exports are, and true to what it plants.

The planted truths are checked against the generated files themselves, read with pandas and
parsed by the small helpers below (not by the product's importer), so the truth JSON cannot
drift from the data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keyaccount.data.demo import DemoFiles, generate
from keyaccount.data.schema import TABLES

CORE = {"采购部", "财务部", "研发部", "生产部", "信息部", "总经办"}


# --- Reading the exports ---------------------------------------------------------------------


def _header_key(header: str) -> str:
    text = str(header).strip().lower()
    text = re.sub(r"[(（][^)）]*[)）]$", "", text)
    return re.sub(r"[\s_\-]", "", text)


def _csv(path: Path, encoding: str) -> pd.DataFrame:
    df = pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False)
    df = df[(df != "").any(axis=1)]
    return df[df.iloc[:, 0] != "合计"].reset_index(drop=True)


def _xlsx_raw(path: Path) -> tuple[list[str], pd.DataFrame]:
    raw = pd.read_excel(path, header=None, dtype=object)
    header_row = next(i for i in range(len(raw)) if raw.iloc[i].notna().sum() >= 2)
    headers = [str(h) for h in raw.iloc[header_row]]
    body = raw.iloc[header_row + 1 :].reset_index(drop=True)
    body.columns = headers
    return headers, body


def _xlsx(path: Path) -> pd.DataFrame:
    _, body = _xlsx_raw(path)
    body = body.dropna(how="all")
    return body[body.iloc[:, 0] != "合计"].reset_index(drop=True)


def _dates(values: pd.Series) -> pd.Series:
    text = values.astype(str).str.strip()
    text = text.str.replace(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$", r"\1-\2-\3", regex=True)
    text = text.str.slice(0, 10)  # Excel cells read as "2024-03-05 00:00:00"
    text = text.str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
    text = text.str.replace("/", "-", regex=False)
    return pd.to_datetime(text.where(values.astype(str).str.strip() != ""), format="%Y-%m-%d")


def _money(values: pd.Series) -> pd.Series:
    text = values.astype(str).str.replace(r"[¥,]", "", regex=True)
    return pd.to_numeric(text.where(text != ""), errors="raise")


def _months(values: pd.Series) -> pd.Series:
    text = values.map(lambda v: v.strftime("%Y-%m") if hasattr(v, "strftime") else str(v))
    text = text.str.replace(r"^(\d{4})年(\d{1,2})月$", r"\1-\2", regex=True)
    return pd.to_datetime(text, format="%Y-%m")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate(tmp_path_factory.mktemp("demo"))


def _file(demo: DemoFiles, name: str) -> Path:
    return next(p for p in demo.files if p.name == name)


@pytest.fixture(scope="module")
def ledger(demo: DemoFiles) -> pd.DataFrame:
    inv = _csv(_file(demo, "销售明细.csv"), "utf-8-sig")
    return pd.DataFrame(
        {
            "invoice": inv["发票号"],
            "customer": inv["客户编号"],
            "date": _dates(inv["开票日期"]),
            "amount": _money(inv["金额"]),
            "cost": _money(inv["成本"]),
            "rebate": _money(inv["返利"]).fillna(0.0),
            "line": inv["产品线"],
            "unit": inv["工厂编号"],
            "deal": inv["交易类型"],
            "paid": _dates(inv["回款日期"]),
            "terms": inv["账期"].str.rstrip("天").astype(int),
        }
    )


@pytest.fixture(scope="module")
def windows(ledger: pd.DataFrame) -> dict[str, pd.Series]:
    """Commercial lines with their window: the TTM ending at the last commercial invoice."""
    com = ledger[ledger["deal"] == "正式"]
    as_of = com["date"].max()
    lo = as_of - pd.DateOffset(months=12)
    prior_lo = lo - pd.DateOffset(months=12)
    return {
        "as_of": as_of,
        "lo": lo,
        "ttm": com[(com["date"] > lo) & (com["date"] <= as_of)],
        "prior": com[(com["date"] > prior_lo) & (com["date"] <= lo)],
    }


# --- Determinism and file forms ----------------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(
    demo: DemoFiles, tmp_path: Path
) -> None:
    again = generate(tmp_path / "again")
    for a, b in zip(demo.files, again.files, strict=True):
        assert a.name == b.name
        assert a.read_bytes() == b.read_bytes(), a.name
    assert demo.truth_path.read_bytes() == again.truth_path.read_bytes()
    other = generate(tmp_path / "other", seed=8)
    differing = [
        a.name
        for a, b in zip(demo.files, other.files, strict=True)
        if a.read_bytes() != b.read_bytes()
    ]
    assert {"客户档案.csv", "销售明细.csv", "联系人.xlsx", "满意度调查.xlsx"} <= set(differing)
    assert len(differing) >= len(demo.files) - 1  # the market data is the same for every seed


def test_files_customers_first_then_invoices(demo: DemoFiles) -> None:
    names = [p.name for p in demo.files]
    assert names[:2] == ["客户档案.csv", "销售明细.csv"]
    assert set(demo.truth["files"]) == set(names)
    assert {v["table"] for v in demo.truth["files"].values()} == set(TABLES) - {"fx"}
    assert demo.truth_path == demo.files[0].parent / "demo_truth.json"
    assert json.loads(demo.truth_path.read_text(encoding="utf-8")) == demo.truth


def test_encodings(demo: DemoFiles) -> None:
    customers = _file(demo, "客户档案.csv").read_bytes()
    assert customers.decode("gbk").startswith("客户编号,")
    with pytest.raises(UnicodeDecodeError):
        customers.decode("utf-8")
    _file(demo, "目标客户.csv").read_bytes().decode("gbk")
    assert _file(demo, "销售明细.csv").read_bytes().startswith(b"\xef\xbb\xbf" + "发票号".encode())
    interactions = _file(demo, "拜访记录.csv").read_bytes()
    assert not interactions.startswith(b"\xef\xbb\xbf")
    interactions.decode("utf-8")


def test_every_header_maps_to_a_column_of_its_table(demo: DemoFiles) -> None:
    for path in demo.files:
        table = TABLES[demo.truth["files"][path.name]["table"]]
        if path.suffix == ".csv":
            encoding = "gbk" if path.name in ("客户档案.csv", "目标客户.csv") else "utf-8-sig"
            headers = list(pd.read_csv(path, encoding=encoding, nrows=0).columns)
        else:
            headers, _ = _xlsx_raw(path)
        known = {_header_key(a) for c in table.columns for a in (c.name, *c.aliases)}
        unknown = [h for h in headers if _header_key(h) not in known]
        assert not unknown, f"{path.name}: {unknown}"
        assert set(table.required) <= {
            c.name
            for c in table.columns
            for h in headers
            if _header_key(h) in {_header_key(a) for a in (c.name, *c.aliases)}
        }
    english = _xlsx_raw(_file(demo, "opportunities.xlsx"))[0]
    assert english[:3] == ["opportunity_id", "customer_id", "created"]


def test_messy_values_are_there(demo: DemoFiles) -> None:
    text = _file(demo, "销售明细.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[-1].startswith("合计,")
    assert sum(1 for line in lines if set(line) == {","}) == 2
    inv = pd.read_csv(
        _file(demo, "销售明细.csv"), encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    dates = inv["开票日期"]
    for pattern in (r"\d{4}/\d{1,2}/\d{1,2}", r"\d{4}-\d{2}-\d{2}", r"\d{8}"):
        assert dates.str.fullmatch(pattern).sum() > 100, pattern
    assert inv["金额"].str.startswith("¥").sum() > 100
    assert inv["金额"].str.contains(",").sum() > 1000
    assert (inv["金额"].str.startswith("-")).sum() > 10  # credit notes
    assert inv["账期"].str.endswith("天").sum() > 100
    assert (inv["账期"].str.fullmatch(r"\d+")).sum() > 100
    assert (inv["回款日期"] == "").sum() > 100  # unpaid
    assert set(inv["交易类型"]) - {""} == {"正式", "样品", "POC", "试用", "免费"}
    numbers = inv["发票号"][~inv["发票号"].isin(["", "合计"])]
    assert numbers.str.fullmatch(r"0\d{7}").all()  # leading zeros must survive
    customers = pd.read_csv(_file(demo, "客户档案.csv"), encoding="gbk", dtype=str)
    assert customers["首次合作日期"].str.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日").all()
    assert _dates(customers["首次合作日期"]).notna().all()
    assert set(customers["标杆客户"]) == {"是", "否"} and set(customers["联合研发"]) == {"Y", "N"}
    assert set(customers["企业性质"]) == {"国企", "民企", "外企", "上市", "政府"}
    assert set(customers["客户来源"]) == {"转介绍", "渠道", "官网", "陌拜"}
    assert customers["客户名称"].is_unique
    _, costs = _xlsx_raw(_file(demo, "费用明细.xlsx"))
    kinds = {type(v).__name__ for v in costs["期间"]}
    assert "str" in kinds and len(kinds) == 2  # 2024年3月 and Excel dates
    assert set(costs["费用类别"]) == {
        "获客成本",
        "服务团队",
        "定制研发",
        "技术支持",
        "客户维护",
        "返利",
        "其他",
    }
    _, surveys = _xlsx_raw(_file(demo, "满意度调查.xlsx"))
    assert surveys.iloc[-2].isna().all() and surveys.iloc[-1]["客户编号"] == "合计"
    assert {"5分制", "NPS"} <= set(surveys["量表"].dropna())
    industries = _xlsx(_file(demo, "行业数据.xlsx"))
    assert industries["市场增速"].dropna().str.endswith("%").all()
    targets = pd.read_csv(_file(demo, "目标客户.csv"), encoding="gbk", dtype=str)
    assert set(targets["状态"]) == {"未接触", "已接触", "跟进中", "已成交"}


# --- Planted truths, checked on the files -------------------------------------------------------


def test_top_customer_is_a_group_only_when_rolled_up(
    demo: DemoFiles, windows: dict[str, pd.Series]
) -> None:
    truth = demo.truth["top_customer"]
    customers = _csv(_file(demo, "客户档案.csv"), "gbk")
    parent = customers.set_index("客户编号")["集团编号"]
    revenue = windows["ttm"].groupby("customer")["amount"].sum()
    revenue = revenue[revenue > 0]
    shares = revenue / revenue.sum()
    account = shares.groupby(lambda c: parent[c] or c).sum()
    assert account.idxmax() == truth["group_parent"]
    assert 0.31 <= account.max() <= 0.36
    assert account.max() == pytest.approx(truth["top1_share_rolled_up"], abs=1e-6)
    assert shares.max() < 0.20
    members = [*sorted(parent[parent == truth["group_parent"]].index), truth["group_parent"]]
    assert sorted(members) == sorted(truth["group_members"])
    assert len(members) == 4  # the parent and three subsidiaries
    assert shares[truth["group_members"]].sum() == pytest.approx(account.max())


def test_black_holes_have_thin_and_negative_true_margins(
    demo: DemoFiles, ledger: pd.DataFrame, windows: dict[str, pd.Series]
) -> None:
    ttm, as_of, lo = windows["ttm"], windows["as_of"], windows["lo"]
    by = ttm.groupby("customer")
    revenue = by["amount"].sum()
    revenue = revenue[revenue > 0]
    days = np.where(ttm["paid"].notna(), (ttm["paid"] - ttm["date"]).dt.days, ttm["terms"])
    financing = (ttm["amount"] * days / 365 * 0.06).groupby(ttm["customer"]).sum()
    costs = _xlsx(_file(demo, "费用明细.xlsx"))
    costs["month"] = _months(costs["期间"])
    costs["yuan"] = costs["金额(万元)"].astype(float) * 1e4
    costs = costs[(costs["month"] > lo) & (costs["month"] <= as_of)]
    serve = costs[costs["费用类别"].isin(["服务团队", "定制研发", "技术支持", "客户维护", "其他"])]
    tagged = serve.dropna(subset=["客户编号"]).groupby("客户编号")["yuan"].sum()
    weight = revenue / revenue.sum()
    pooled_serve = serve[serve["客户编号"].isna()]["yuan"].sum()
    pooled_rebate = costs[(costs["费用类别"] == "返利") & costs["客户编号"].isna()]["yuan"].sum()
    contribution = (
        revenue
        - by["cost"].sum()
        - by["rebate"].sum()
        - weight * pooled_rebate
        - tagged.reindex(revenue.index, fill_value=0)
        - weight * pooled_serve
        - financing
    ).reindex(revenue.index)
    true_margin = contribution / revenue
    company = contribution.sum() / revenue.sum()
    company_gross = (revenue.sum() - by["cost"].sum()[revenue.index].sum()) / revenue.sum()
    truth = demo.truth["black_holes"]
    assert 0.30 <= company_gross <= 0.36
    assert company == pytest.approx(truth["company_true_margin"], abs=1e-4)
    top_decile = set(revenue.sort_values(ascending=False).index[: int(np.ceil(len(revenue) / 10))])
    paid = ledger[ledger["paid"].notna() & (ledger["deal"] == "正式")]
    for c in truth["customers"]:
        assert c in top_decile
        gross = 1 - by["cost"].sum()[c] / revenue[c]
        assert 0.05 <= gross <= 0.10, (c, gross)
        assert true_margin[c] < 0 and true_margin[c] < company / 2
        mine = paid[paid["customer"] == c]
        assert 150 <= (mine["paid"] - mine["date"]).dt.days.mean() <= 180
        assert tagged.get(c, 0) > 0
    holes = {c for c in top_decile if true_margin[c] < company / 2 or true_margin[c] < 0}
    assert holes == set(truth["customers"]) == set(truth["detected"])


def _signals(
    demo: DemoFiles, windows: dict[str, pd.Series], customer: str
) -> dict[str, float | bool]:
    """The shrink figures of one customer and whether its latest survey is satisfied."""
    ttm, prior = windows["ttm"], windows["prior"]
    mine1, mine0 = ttm[ttm["customer"] == customer], prior[prior["customer"] == customer]
    r1, r0 = mine1["amount"].sum(), mine0["amount"].sum()
    o1 = (mine1.groupby("invoice")["amount"].sum() > 0).sum()
    o0 = (mine0.groupby("invoice")["amount"].sum() > 0).sum()
    lines0 = mine0.groupby("line")["amount"].sum() / r0
    lines1 = mine1.groupby("line")["amount"].sum()
    dropped = max((s for line, s in lines0.items() if lines1.get(line, 0) <= 0), default=0.0)
    wallet = _csv(_file(demo, "客户钱包.csv"), "utf-8")
    wallet = wallet[wallet["客户编号"] == customer].set_index("年份")["品类总采购额(万元)"]
    year = windows["as_of"].year
    share_change = r1 / (float(wallet[str(year)]) * 1e4) - r0 / (float(wallet[str(year - 1)]) * 1e4)
    surveys = _xlsx(_file(demo, "满意度调查.xlsx"))
    surveys = surveys[
        (surveys["客户编号"] == customer)
        & (pd.to_datetime(surveys["调查日期"]) <= windows["as_of"])
    ]
    latest = surveys.sort_values("调查日期").iloc[-1]
    nps = latest["量表"] == "NPS"
    score = float(latest["满意度"])
    return {
        "revenue": r1 / r0 - 1,
        "orders": o1 / o0 - 1,
        "dropped": dropped,
        "wallet": share_change,
        "score": score,
        "satisfied": score >= 9 if nps else score >= 4,
    }


def test_silent_traitors_are_satisfied_and_shrinking(
    demo: DemoFiles, windows: dict[str, pd.Series]
) -> None:
    truth = demo.truth["silent_traitors"]
    assert len(truth["customers"]) == 8
    fired_kinds = set()
    for c in truth["customers"]:
        s = _signals(demo, windows, c)
        assert s["satisfied"], c
        planted = truth["planted_signals"][c]
        fired_kinds.update(planted)
        checks = {
            "revenue": s["revenue"] <= -0.25,
            "orders": s["orders"] <= -0.40,
            "product_line": s["dropped"] >= 0.15,
            "wallet": s["wallet"] <= -0.08,
        }
        assert all(checks[k] for k in planted), (c, planted, s)
        assert set(truth["details"][c]["signals"]) == set(planted)
        assert c in truth["detected"]
    assert fired_kinds == {"revenue", "orders", "product_line", "wallet"}


def test_traitor_decoys_are_clearly_on_the_other_side(
    demo: DemoFiles, windows: dict[str, pd.Series]
) -> None:
    decoys = demo.truth["traitor_decoys"]
    detected = set(demo.truth["silent_traitors"]["detected"])
    for c in decoys["satisfied_stable"]:
        s = _signals(demo, windows, c)
        assert s["satisfied"] and s["revenue"] >= 0.05 and s["orders"] >= 0
        assert s["dropped"] == 0 and abs(s["wallet"]) < 0.01
    for c in decoys["unsatisfied_shrinking"]:
        s = _signals(demo, windows, c)
        assert s["score"] <= 2 and s["revenue"] <= -0.25
    for c in decoys["satisfied_small_dip"]:
        s = _signals(demo, windows, c)
        assert s["satisfied"] and -0.10 <= s["revenue"] < 0 and s["orders"] > -0.15
        assert s["dropped"] == 0 and s["wallet"] > -0.03
    all_decoys = [
        c
        for k in ("satisfied_stable", "unsatisfied_shrinking", "satisfied_small_dip")
        for c in decoys[k]
    ]
    assert len(all_decoys) == 9 and not detected & set(all_decoys)


def test_sample_only_and_poc_conversions(demo: DemoFiles, ledger: pd.DataFrame) -> None:
    deals = ledger.groupby("customer")["deal"].agg(set)
    never = {c for c, kinds in deals.items() if "正式" not in kinds}
    assert never == set(demo.truth["sample_only"])
    assert 15 <= len(never) <= 25
    customers = _csv(_file(demo, "客户档案.csv"), "gbk")
    assert set(customers["客户编号"]) == set(deals.index)  # every customer has invoices
    for c, info in demo.truth["poc_converted"].items():
        mine = ledger[ledger["customer"] == c]
        first_commercial = mine[mine["deal"] == "正式"]["date"].min()
        assert str(first_commercial.date()) == info["conversion_date"]
        assert str(mine[mine["deal"] == "POC"]["date"].min().date()) == info["poc_date"]
        assert info["days"] >= 60


def test_key_account_units_adopt_over_time(demo: DemoFiles, ledger: pd.DataFrame) -> None:
    units = _xlsx(_file(demo, "客户单元.xlsx"))
    units["adopted"] = pd.to_datetime(units["导入日期"])
    truth = demo.truth["key_accounts_with_units"]
    assert len(truth) == 10 and set(units["客户编号"]) == set(truth)
    assert units.groupby("客户编号").size().between(3, 8).all()
    assert units["adopted"].isna().any()  # whitespace left
    quarters = units["adopted"].dropna().dt.to_period("Q").nunique()
    assert quarters >= 10
    stamped = ledger[ledger["unit"] != ""].merge(units, left_on="unit", right_on="工厂编号")
    assert len(stamped) == (ledger["unit"] != "").sum() > 0
    assert (stamped["customer"] == stamped["客户编号"]).all()
    assert (stamped["date"] >= stamped["adopted"]).all()
    assert not set(units[units["adopted"].isna()]["工厂编号"]) & set(ledger["unit"])
    key_lines = ledger[ledger["customer"].isin(truth) & (ledger["deal"] == "正式")]
    assert (key_lines["unit"] != "").all()


def test_relationship_map(demo: DemoFiles, windows: dict[str, pd.Series]) -> None:
    contacts = _xlsx(_file(demo, "联系人.xlsx")).set_index("联系人编号")
    visits = _csv(_file(demo, "拜访记录.csv"), "utf-8")
    visits["date"] = _dates(visits["拜访日期"])
    as_of = windows["as_of"]
    active = visits[visits["date"] > as_of - pd.Timedelta(days=180)]
    year = visits[visits["date"] > windows["lo"]]

    def departments(c: str) -> set[str]:
        ids = active[active["客户编号"] == c]["联系人编号"].unique()
        return set(contacts.loc[ids, "部门"])

    def top_share(c: str) -> float:
        mine = year[year["客户编号"] == c]["拜访人"]
        return mine.value_counts().iloc[0] / len(mine)

    def active_contacts(c: str) -> int:
        return active[active["客户编号"] == c]["联系人编号"].nunique()

    for c in demo.truth["transactional_only"]:
        assert departments(c) and departments(c) <= {"采购部", "财务部"}
        assert top_share(c) <= 0.8 and active_contacts(c) >= 2
    for c, why in demo.truth["key_person_risk"].items():
        if why == "employee_share":
            assert top_share(c) > 0.85 and active_contacts(c) >= 2
        else:
            assert (contacts["客户编号"] == c).sum() == 1 and active_contacts(c) == 1
            assert not departments(c) <= {"采购部", "财务部"}
    for c in demo.truth["well_covered"]:
        assert len(departments(c) & CORE) >= 4
        assert top_share(c) <= 0.5 and active_contacts(c) >= 4
    assert len(demo.truth["transactional_only"]) == 5 and len(demo.truth["key_person_risk"]) == 5


def test_catch_all_industry_and_near_duplicates(demo: DemoFiles, ledger: pd.DataFrame) -> None:
    customers = _csv(_file(demo, "客户档案.csv"), "gbk")
    industry = customers["行业"]
    assert 0.20 <= (industry == "商务服务").mean() <= 0.30
    assert (industry == "商务服务").mean() == max(industry.value_counts(normalize=True))
    assert {"汽车零部件", "汽车零部件业"} <= set(industry)
    assert 0.01 <= (industry == "").mean() <= 0.06
    com = ledger[ledger["deal"] == "正式"].merge(customers, left_on="customer", right_on="客户编号")
    per_customer = com.pivot_table(
        index="customer", columns="line", values="amount", aggfunc="sum", fill_value=0
    )
    favourite = per_customer.idxmax(axis=1)
    label = customers.set_index("客户编号")["行业"][favourite.index]
    agreement = favourite.groupby(label).agg(lambda s: s.value_counts(normalize=True).iloc[0])
    assert agreement["商务服务"] == agreement.min() < 0.35


def test_background_is_realistic(demo: DemoFiles, ledger: pd.DataFrame) -> None:
    background = demo.truth["background"]
    cohorts = background["cohorts_by_first_year"]
    assert len(cohorts) >= 5 and all(n > 0 for n in cohorts.values())
    assert background["churned_in_ttm"] > 10 and background["customers_with_a_pause"] > 0
    cac = list(background["cac_by_year"].values())
    assert cac[-2] > cac[1] * 1.3  # CAC inflation
    assert 0.20 <= background["win_rate_overall"] <= 0.40
    assert len(set(background["win_rate_by_industry"].values())) > 5
    monthly = ledger[ledger["deal"] == "正式"].groupby(ledger["date"].dt.month)["amount"].sum()
    assert monthly[12] > 1.5 * monthly[2]  # year-end push, Chinese New Year lull
    opportunities = _xlsx(_file(demo, "opportunities.xlsx"))
    assert opportunities["won"].isna().sum() > 0  # open deals
    subscriptions = _csv(_file(demo, "订阅合同.csv"), "utf-8-sig")
    assert set(subscriptions["产品线"]) <= {"工业软件", "维保服务"}
    assert (subscriptions["结束日期"] == "").any()


def test_lines_grow_about_linearly_with_customers(demo: DemoFiles, tmp_path: Path) -> None:
    small = demo.truth["meta"]["invoice_lines"]
    assert 30_000 <= small <= 80_000
    big = generate(tmp_path / "big", customers=5000)
    ratio = big.truth["meta"]["invoice_lines"] / small
    assert 5 <= ratio <= 14
    assert big.truth["top_customer"]["top1_share_rolled_up"] == pytest.approx(0.33, abs=0.01)


def test_rejects_impossible_sizes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="customers"):
        generate(tmp_path, customers=10)
    with pytest.raises(ValueError, match="years"):
        generate(tmp_path, years=1)
