"""The export files, written the way a Chinese company hands its data over.

One writer per file, each returning its data rows; ``WRITERS`` lists them in file order,
customers first, then invoices.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.company import Company
from keyaccount.data.demo.company_names import CITIES
from keyaccount.data.demo.days import month_start, ymd
from keyaccount.data.demo.industries import INDUSTRIES
from keyaccount.data.demo.text import (
    DATE_CHINESE,
    MONEY_GROUPED,
    MONEY_PLAIN,
    date_text,
    decimal_text,
    id_text,
    int_text,
    money_text,
    null_where,
    pad,
    pick_labels,
)
from keyaccount.data.demo.vocabulary import (
    COST_CATEGORIES_ZH,
    DEAL_LABELS,
    DEPARTMENTS_ZH,
    INTERACTION_TYPES_ZH,
    LOST_REASONS,
    OPEN_STAGES,
    OWNERSHIP_ZH,
    PRODUCT_LINES,
    SENIORITY_ZH,
    SOURCE_ZH,
    SURVEY_COMMENTS,
    TARGET_STATUS_ZH,
)
from keyaccount.data.demo.writers import (
    XL_BOOL,
    XL_DATE,
    XL_MONTH,
    XL_NUMBER,
    XL_TEXT,
    CsvFile,
    write_xlsx,
)

_CHUNK = 1_000_000


def _write_customers(path: Path, co: Company) -> int:
    """客户档案.csv: GBK, Chinese headers, 2021年3月5日 dates, 是/否 and Y/N flags."""
    cust, staff = co.cust, co.staff
    headers = (
        "客户编号",
        "客户名称",
        "集团编号",
        "行业",
        "二级行业",
        "地区",
        "企业性质",
        "客户来源",
        "客户经理",
        "首次合作日期",
        "标杆客户",
        "战略合作",
        "联合研发",
    )
    out = CsvFile(path, headers, "gbk")
    provinces = [p for _, p in CITIES]
    parent_ids = null_where(id_text("KH", cust.parent + 1, 6), cust.parent < 0)
    out.write(
        [
            cust.ids,
            pa.array(cust.name, pa.string()),
            parent_ids,
            pa.array(cust.industry_label, pa.string()),
            pa.array(cust.level2, pa.string()),
            pa.array(pick_labels(provinces, cust.city), pa.string()),
            pa.array(pick_labels(OWNERSHIP_ZH, cust.ownership), pa.string()),
            pa.array(pick_labels(SOURCE_ZH, cust.source), pa.string()),
            pa.array(staff.names[cust.owner], pa.string()),
            date_text(cust.first_day, DATE_CHINESE),
            pa.array(pick_labels(("否", "是"), cust.lighthouse.astype(np.int64)), pa.string()),
            pa.array(pick_labels(("否", "是"), cust.strategic.astype(np.int64)), pa.string()),
            pa.array(pick_labels(("N", "Y"), cust.joint_rnd.astype(np.int64)), pa.string()),
        ]
    )
    out.close()
    return out.rows


def _write_invoices(path: Path, co: Company) -> int:
    """销售明细.csv: UTF-8 with BOM, in chunks; two blank rows inside and a 合计 row last."""
    ledger, cust, units = co.ledger, co.cust, co.units
    headers = (
        "发票号",
        "行号",
        "客户编号",
        "开票日期",
        "金额",
        "成本",
        "返利",
        "产品线",
        "项目编号",
        "工厂编号",
        "交易类型",
        "账期",
        "到期日",
        "回款日期",
    )
    out = CsvFile(path, headers, "utf-8-sig")
    ids = cust.ids
    unit_codes = pa.array(units.code, pa.string())
    products = pa.array(PRODUCT_LINES, pa.string())
    deals = pa.array(DEAL_LABELS, pa.string())
    n = len(ledger)
    blanks = {n // 3, 2 * n // 3}
    cuts = sorted({0, n, *blanks, *range(_CHUNK, n, _CHUNK)})
    for lo, hi in itertools.pairwise(cuts):
        if lo in blanks and lo:
            out.blank()
        sl = slice(lo, hi)
        project = ledger.project[sl]
        unit = ledger.unit[sl]
        # Invoice-level text once per invoice of the chunk, then spread over its lines.
        first, last = int(ledger.invoice[lo]), int(ledger.invoice[hi - 1]) + 1
        per = slice(first, last)
        inv = pa.array(ledger.invoice[sl] - first)
        terms = int_text(ledger.inv_terms[per])
        terms = pc.if_else(
            pa.array(ledger.inv_terms_style[per] == 0),
            pc.binary_join_element_wise(terms, "天", ""),
            terms,
        )
        out.write(
            [
                pad(np.arange(first + 1, last + 1), 8).take(inv),
                int_text(ledger.line_no[sl]),
                ids.take(ledger.cust[sl]),
                date_text(ledger.inv_day[per], ledger.inv_date_style[per]).take(inv),
                money_text(ledger.amount[sl], ledger.money_style[sl]),
                money_text(
                    ledger.cost[sl],
                    np.where(ledger.money_style[sl] == MONEY_PLAIN, MONEY_PLAIN, MONEY_GROUPED),
                ),
                null_where(money_text(ledger.rebate[sl], MONEY_PLAIN), ledger.rebate[sl] == 0),
                products.take(ledger.product[sl]),
                null_where(ledger.project_labels.take(np.maximum(project, 0)), project < 0),
                null_where(unit_codes.take(np.maximum(unit, 0)), unit < 0)
                if len(unit_codes)
                else pa.nulls(hi - lo, pa.string()),
                deals.take(ledger.deal[sl]),
                terms.take(inv),
                date_text(ledger.inv_due[per]).take(inv),
                date_text(ledger.inv_paid[per]).take(inv),
            ]
        )
    totals = (
        [pa.array(["合计"])]
        + [pa.nulls(1, pa.string())] * 3
        + [
            money_text(np.array([ledger.amount.sum()])),
            money_text(np.array([ledger.cost.sum()])),
            money_text(np.array([ledger.rebate.sum()]), MONEY_PLAIN),
        ]
        + [pa.nulls(1, pa.string())] * 7
    )
    out.write(totals)
    out.close()
    return out.rows - 1


def _write_costs(path: Path, co: Company) -> int:
    """费用明细.xlsx: a title row, 期间 as 2024年3月 or an Excel date, 金额 in 万元."""
    costs, cust = co.costs, co.cust
    month_day = month_start(costs["month"])
    y, m, _ = ymd(month_day)
    text = pc.binary_join_element_wise(int_text(y), "年", int_text(m), "月", "")
    as_date = costs["as_date"]
    customer = null_where(cust.ids.take(np.maximum(costs["cust"], 0)), costs["cust"] < 0)
    write_xlsx(
        path,
        "费用明细",
        ("期间", "费用类别", "客户编号", "金额(万元)"),
        [
            [(XL_TEXT, null_where(text, as_date)), (XL_MONTH, np.where(as_date, month_day, -1))],
            [(XL_TEXT, pa.array(pick_labels(COST_CATEGORIES_ZH, costs["category"]), pa.string()))],
            [(XL_TEXT, customer)],
            [(XL_NUMBER, np.round(costs["yuan"] / 1e4, 4))],
        ],
        title="费用明细表（单位：万元）",
    )
    return len(month_day)


def _write_units(path: Path, co: Company) -> int:
    """客户单元.xlsx: the key accounts' plants, bases and BUs."""
    units, cust = co.units, co.cust
    write_xlsx(
        path,
        "客户单元",
        ("客户编号", "工厂编号", "工厂名称", "单元类型", "潜力", "导入日期"),
        [
            [(XL_TEXT, cust.ids.take(units.cust))],
            [(XL_TEXT, pa.array(units.code, pa.string()))],
            [(XL_TEXT, pa.array(units.name, pa.string()))],
            [(XL_TEXT, pa.array(units.unit_type, pa.string()))],
            [(XL_NUMBER, units.potential.astype(float))],
            [(XL_DATE, units.adopted)],
        ],
    )
    return len(units.cust)


def _write_contacts(path: Path, co: Company) -> int:
    """联系人.xlsx: the relationship map."""
    rel, cust, staff = co.relations, co.cust, co.staff
    n = len(rel.contact_cust)
    write_xlsx(
        path,
        "联系人",
        ("客户编号", "联系人编号", "姓名", "部门", "职位", "我方负责人"),
        [
            [(XL_TEXT, cust.ids.take(rel.contact_cust))],
            [(XL_TEXT, id_text("LX", np.arange(1, n + 1), 7))],
            [(XL_TEXT, pa.array(rel.contact_name, pa.string()))],
            [(XL_TEXT, pa.array(pick_labels(DEPARTMENTS_ZH, rel.contact_dept), pa.string()))],
            [(XL_TEXT, pa.array(pick_labels(SENIORITY_ZH, rel.contact_seniority), pa.string()))],
            [(XL_TEXT, pa.array(staff.names[rel.contact_owner], pa.string()))],
        ],
    )
    return n


def _write_interactions(path: Path, co: Company) -> int:
    """拜访记录.csv: UTF-8 without BOM."""
    rel, cust, staff = co.relations, co.cust, co.staff
    out = CsvFile(path, ("客户编号", "拜访日期", "联系人编号", "拜访人", "方式"), "utf-8")
    names = pa.array(staff.names, pa.string())
    types = pa.array(INTERACTION_TYPES_ZH, pa.string())
    for lo in range(0, len(rel.inter_cust), _CHUNK):
        sl = slice(lo, lo + _CHUNK)
        out.write(
            [
                cust.ids.take(rel.inter_cust[sl]),
                date_text(rel.inter_day[sl]),
                id_text("LX", rel.inter_contact[sl] + 1, 7),
                names.take(rel.inter_employee[sl]),
                types.take(rel.inter_type[sl]),
            ]
        )
    out.close()
    return out.rows


def _write_surveys(path: Path, co: Company) -> int:
    """满意度调查.xlsx with a blank row and a 合计 row (the mean score) at the bottom."""
    surveys, cust = co.surveys, co.cust
    n = len(surveys["cust"])
    customer = pa.concat_arrays(
        [cust.ids.take(surveys["cust"]), pa.array([None, "合计"], pa.string())]
    )
    score = np.concatenate(
        [surveys["score"].astype(float), [np.nan, round(float(surveys["score"].mean()), 2)]]
    )
    scale = pa.array(
        [*pick_labels(("5分制", "NPS"), surveys["nps"].astype(np.int64)), None, None], pa.string()
    )
    comment = pa.array([*pick_labels(SURVEY_COMMENTS, surveys["comment"]), None, None], pa.string())
    write_xlsx(
        path,
        "满意度调查",
        ("客户编号", "调查日期", "满意度", "量表", "意见"),
        [
            [(XL_TEXT, customer)],
            [(XL_DATE, np.concatenate([surveys["day"], [-1, -1]]))],
            [(XL_NUMBER, score)],
            [(XL_TEXT, scale)],
            [(XL_TEXT, comment)],
        ],
    )
    return n


def _write_wallet(path: Path, co: Company) -> int:
    """客户钱包.csv: category spend in 万元."""
    wallet, cust = co.wallet, co.cust
    out = CsvFile(path, ("客户编号", "年份", "品类总采购额(万元)"), "utf-8")
    out.write(
        [
            cust.ids.take(wallet["cust"]),
            int_text(wallet["year"]),
            decimal_text(wallet["spend_wan"], 2),
        ]
    )
    out.close()
    return out.rows


def _write_opportunities(path: Path, co: Company) -> int:
    """opportunities.xlsx: the CRM export, English headers, true/false cells."""
    opps, cust = co.opps, co.cust
    n = len(opps["cust"])
    stages = (*OPEN_STAGES, "closed won", "closed lost")
    write_xlsx(
        path,
        "opportunities",
        (
            "opportunity_id",
            "customer_id",
            "created",
            "stage",
            "closed",
            "won",
            "amount",
            "industry",
            "lost_reason",
        ),
        [
            [(XL_TEXT, id_text("OPP", np.arange(1, n + 1), 6))],
            [(XL_TEXT, cust.ids.take(opps["cust"]))],
            [(XL_DATE, opps["created"])],
            [(XL_TEXT, pa.array(pick_labels(stages, opps["stage"]), pa.string()))],
            [(XL_DATE, opps["closed"])],
            [(XL_BOOL, opps["won"])],
            [(XL_NUMBER, opps["amount"])],
            [(XL_TEXT, pa.array(cust.industry_label[opps["cust"]], pa.string()))],
            [(XL_TEXT, pa.array(pick_labels(LOST_REASONS, opps["lost_reason"]), pa.string()))],
        ],
    )
    return n


def _write_industries(path: Path, co: Company) -> int:
    """行业数据.xlsx: market data in 亿元 and percentages as text (12%)."""
    rows = INDUSTRIES
    market = [ind.market for ind in rows]

    def col(i: int) -> Arr:
        return np.array([m[i] if m else np.nan for m in market], dtype=float)

    def percent(values: Arr) -> Any:
        return pa.array(
            [None if np.isnan(v) else f"{round(v * 100)}%" for v in values], pa.string()
        )

    write_xlsx(
        path,
        "行业数据",
        (
            "行业",
            "市场规模(亿元)",
            "市场增速",
            "投融资事件数",
            "投融资金额(亿元)",
            "前20集中度",
            "匹配度",
            "目标客户数",
        ),
        [
            [(XL_TEXT, pa.array([ind.name for ind in rows], pa.string()))],
            [(XL_NUMBER, col(0))],
            [(XL_TEXT, percent(col(1)))],
            [(XL_NUMBER, col(2))],
            [(XL_NUMBER, col(3))],
            [(XL_TEXT, percent(col(4)))],
            [(XL_NUMBER, np.array([m[5] if m else 2 for m in market], dtype=float))],
            [(XL_NUMBER, np.array([ind.targets or np.nan for ind in rows], dtype=float))],
        ],
    )
    return len(rows)


def _write_targets(path: Path, co: Company) -> int:
    """目标客户.csv: GBK."""
    targets, cust = co.targets, co.cust
    out = CsvFile(path, ("行业", "客户名称", "客户编号", "状态"), "gbk")
    out.write(
        [
            pa.array(targets["industry"], pa.string()),
            pa.array(targets["name"], pa.string()),
            null_where(cust.ids.take(np.maximum(targets["cust"], 0)), targets["cust"] < 0),
            pa.array(pick_labels(TARGET_STATUS_ZH, targets["status"]), pa.string()),
        ]
    )
    out.close()
    return out.rows


def _write_subscriptions(path: Path, co: Company) -> int:
    """订阅合同.csv: UTF-8 with BOM, mixed Chinese and English headers."""
    subs, cust = co.subs, co.cust
    out = CsvFile(path, ("customer_id", "开始日期", "结束日期", "月费", "产品线"), "utf-8-sig")
    out.write(
        [
            cust.ids.take(subs["cust"]),
            date_text(subs["start"]),
            date_text(subs["end"]),
            money_text(np.rint(subs["mrr"] * 100).astype(np.int64)),
            pa.array(PRODUCT_LINES, pa.string()).take(subs["product"]),
        ]
    )
    out.close()
    return out.rows


WRITERS = (
    ("客户档案.csv", "customers", _write_customers),
    ("销售明细.csv", "invoices", _write_invoices),
    ("费用明细.xlsx", "costs", _write_costs),
    ("客户单元.xlsx", "account_units", _write_units),
    ("联系人.xlsx", "contacts", _write_contacts),
    ("拜访记录.csv", "interactions", _write_interactions),
    ("满意度调查.xlsx", "surveys", _write_surveys),
    ("客户钱包.csv", "wallet", _write_wallet),
    ("opportunities.xlsx", "opportunities", _write_opportunities),
    ("行业数据.xlsx", "industries", _write_industries),
    ("目标客户.csv", "targets", _write_targets),
    ("订阅合同.csv", "subscriptions", _write_subscriptions),
)
