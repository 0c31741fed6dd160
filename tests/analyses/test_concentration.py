"""Concentration (docs/metrics.md §1): known answers, invariants, and the demo's planted facts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import given, settings

from helpers import Contexts, hand_company
from keyaccount.analyses import concentration as conc
from keyaccount.data.demo import DemoFiles


def test_hhi_doj_worked_example() -> None:
    # US DOJ: four firms with shares 30, 30, 20 and 20 percent -> HHI 2,600 (highly concentrated).
    shares = pd.Series([0.30, 0.30, 0.20, 0.20])
    assert conc.hhi(shares) == pytest.approx(2600.0)
    assert conc.hhi_band(2600.0) == "high"
    assert conc.hhi_band(2600.0, conc.BANDS_2010) == "high"
    assert conc.hhi_band(1800.0) == "moderate"  # 1000–1800 inclusive is moderate (2023)
    assert conc.hhi_band(999.9) == "unconcentrated"


def test_gini_known_values() -> None:
    assert conc.gini(pd.Series([5.0, 5.0, 5.0])) == pytest.approx(0.0)
    # x = 1, 2, 3: Σ|xi−xj| over ordered pairs = 8; 8 / (2·9·2) = 2/9.
    assert conc.gini(pd.Series([1.0, 2.0, 3.0])) == pytest.approx(2 / 9)
    # One of four holds everything: (n−1)/n = 0.75 for the population formula.
    assert conc.gini(pd.Series([0.0, 0.0, 0.0, 10.0])) == pytest.approx(0.0)  # zeros dropped
    assert conc.gini(pd.Series([1e-9, 1e-9, 1e-9, 10.0])) == pytest.approx(0.75, abs=1e-6)


def test_pareto_and_top_shares() -> None:
    shares = conc.revenue_shares(pd.Series([50.0, 30.0, 10.0, 10.0, -5.0, 0.0]))
    assert list(shares) == [0.5, 0.3, 0.1, 0.1]  # non-positive revenue left out
    assert conc.pareto_count(shares) == 2  # 50 + 30 = 80%
    assert conc.top_share(shares, 1) == 0.5
    assert conc.top_share(shares, 10) == pytest.approx(1.0)


def test_tenure_shapes() -> None:
    def profile(accounts: list[int], revenue: list[float]) -> pd.DataFrame:
        return pd.DataFrame(
            {"bucket": list(conc.TENURE_BUCKETS), "accounts": accounts, "revenue": revenue}
        )

    assert conc.tenure_shape(profile([6, 2, 1, 1], [30, 40, 20, 10])) == "inverted_pyramid"
    assert conc.tenure_shape(profile([2, 4, 2, 2], [10, 50, 20, 20])) == "spindle"
    assert conc.tenure_shape(profile([2, 2, 2, 4], [10, 20, 20, 50])) == "balanced"
    buckets = conc.tenure_bucket(pd.Series([0.5, 1.0, 2.99, 3.0, 5.0, 12.0]))
    assert list(buckets) == ["<1y", "1-3y", "1-3y", "3-5y", ">=5y", ">=5y"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-1e6, max_value=1e9, allow_nan=False), min_size=1, max_size=60
    ).filter(lambda xs: any(x > 1e-6 for x in xs))
)
def test_share_and_hhi_invariants(revenue: list[float]) -> None:
    shares = conc.revenue_shares(pd.Series(revenue))
    n = len(shares)
    assert shares.sum() == pytest.approx(1.0)
    index = conc.hhi(shares)
    assert 10000 / n - 1e-6 <= index <= 10000 + 1e-6
    assert 0.0 <= conc.gini(shares) < 1.0
    assert 1 <= conc.pareto_count(shares) <= n


CUSTOMERS = [
    ["客户编号", "客户名称", "上级客户", "行业", "地区", "首次合作日期"],
    ["G", "集团", "", "汽车", "江苏", "2015-01-01"],
    ["G1", "一厂", "G", "汽车", "江苏", "2015-01-01"],
    ["G2", "二厂", "G", "汽车", "上海", "2020-06-01"],
    ["A", "甲公司", "", "电力", "上海", "2023-01-01"],
    ["B", "乙公司", "", "", "浙江", ""],
]
INVOICES = [
    ["发票号", "客户编号", "开票日期", "金额", "产品线", "交易类型"],
    ["1", "G1", "2025-03-01", "300", "传感器", "正式"],
    ["2", "G2", "2025-06-30", "100", "控制器", "正式"],
    ["3", "A", "2025-01-01", "400", "传感器", "正式"],
    ["4", "B", "2025-06-30", "200", "软件", "正式"],
    ["5", "B", "2024-06-30", "999", "软件", "正式"],  # on the window's open end: out
    ["6", "A", "2025-02-01", "777", "传感器", "样品"],
]  # samples are not revenue


@pytest.fixture
def small_context(tmp_path: Path) -> Contexts:
    return hand_company(tmp_path, customers=CUSTOMERS, invoices=INVOICES)


def test_hand_computed_portfolio_rolled_up(small_context) -> None:
    result = conc.run(small_context())  # as-of = last commercial invoice, 2025-06-30
    # TTM (2024-06-30, 2025-06-30]: G = 300 + 100 = 400, A = 400, B = 200; total 1000.
    assert result.total_revenue == 1000.0
    assert result.active_accounts == 3
    assert (result.top1_share, result.top1_account) == (0.4, "A")  # tie broken by account id
    assert result.hhi == pytest.approx(40**2 + 40**2 + 20**2)  # 3600
    assert result.hhi_band_2023 == "high"
    assert result.effective_customers == pytest.approx(10000 / 3600)
    assert result.pareto_count == 2
    industry = result.by_industry.table.set_index("industry")
    assert industry.loc["汽车", "share"] == 0.4 and industry.loc["(unknown)", "share"] == 0.2
    lines = result.by_product_line.table.set_index("product_line").share.to_dict()
    assert lines == {"传感器": 0.7, "软件": 0.2, "控制器": 0.1}
    tenure = result.tenure_profile.set_index("bucket")
    # G since 2015 (>=5y), A since 2023-01-01 (2.5 y), B from its first commercial invoice
    # 2024-06-30 (1.0 y).
    assert tenure.accounts.to_dict() == {"<1y": 0, "1-3y": 2, "3-5y": 0, ">=5y": 1}
    codes = {f.code for f in result.findings}
    assert "concentration.top1_over_threshold" in codes
    assert "concentration.industry_over_threshold" not in codes  # 40% is under 50%


def test_without_rollup_each_plant_is_its_own_account(small_context) -> None:
    result = conc.run(small_context(audit={"rollup": False}))
    shares = result.accounts.set_index("account_id").share.to_dict()
    assert shares == {"A": 0.4, "G1": 0.3, "B": 0.2, "G2": 0.1}


def test_demo_top_group_found_and_rollup_changes_it(
    demo_context: Contexts, demo_files: DemoFiles
) -> None:
    truth = demo_files.truth["top_customer"]
    rolled = conc.run(demo_context())
    assert rolled.top1_account == truth["group_parent"]
    assert rolled.top1_share == pytest.approx(truth["top1_share_rolled_up"], abs=1e-6)
    assert any(f.code == "concentration.top1_over_threshold" for f in rolled.findings)
    plain = conc.run(demo_context(audit={"rollup": False}))
    assert plain.top1_share == pytest.approx(truth["top1_share_unrolled"], abs=1e-6)
    assert plain.top1_share < 0.30 < rolled.top1_share  # roll-up crosses the alert line


def test_tenure_counts_calendar_months() -> None:
    starts = pd.Series(pd.to_datetime(["2024-06-30", "2024-07-01", "2020-02-29", "2025-06-30"]))
    years = conc.tenure_years(starts, date(2025, 6, 30))
    assert list(years) == [1.0, 11 / 12, 64 / 12, 0.0]
