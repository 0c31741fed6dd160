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
``_plant_*`` function, and records them, with the figures recomputed from the generated
data, in ``demo_truth.json``.

All randomness comes from one ``numpy.random.default_rng(seed)`` and the work is vectorised
(no Python loop per invoice line), so the same arguments give byte-identical files and
200,000 customers (about ten million invoice lines) take minutes.
"""

from __future__ import annotations

import calendar
import itertools
import json
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Arr = npt.NDArray[Any]

MIN_CUSTOMERS = 200
MAX_CUSTOMERS = 250_000
TRUTH_FILE = "demo_truth.json"

# --- The company's catalogue and vocabulary ------------------------------------------------

PRODUCT_LINES = ("传感器", "控制器", "工业软件", "维保服务", "定制方案")
SENSORS, CONTROLLERS, SOFTWARE, MAINTENANCE, CUSTOM = range(5)
_GROSS_MARGIN = np.array([0.34, 0.30, 0.62, 0.48, 0.26])
_LINE_PRICE = np.array([1.0, 1.4, 1.8, 0.7, 2.6])  # relative value of a line within an invoice

DEAL_LABELS = ("正式", "样品", "POC", "试用", "免费")
COMMERCIAL, SAMPLE, POC, PILOT, FREE = range(5)

DEPARTMENTS_ZH = ("采购部", "财务部", "研发部", "生产部", "信息部", "总经办")
PROCUREMENT, FINANCE, RND, PRODUCTION, IT, EXECUTIVE = range(6)
_DEPARTMENT_WEIGHTS = np.array([0.40, 0.14, 0.16, 0.16, 0.05, 0.09])
_SENIORITY_ZH = ("工程师", "主管", "经理", "总监", "副总经理")
OWNERSHIP_ZH = ("民企", "国企", "外企", "上市", "政府")
PRIVATE, SOE, FOREIGN, LISTED, GOVERNMENT = range(5)
SOURCE_ZH = ("转介绍", "渠道", "官网", "陌拜")
COST_CATEGORIES_ZH = ("获客成本", "服务团队", "定制研发", "技术支持", "客户维护", "返利", "其他")
ACQUISITION, SERVICE_TEAM, CUSTOM_RND, SUPPORT, RETENTION, REBATE, OTHER = range(7)
_POOLED_COST_RATES = {
    SERVICE_TEAM: 0.025,
    SUPPORT: 0.015,
    RETENTION: 0.010,
    OTHER: 0.008,
    CUSTOM_RND: 0.005,
}
INTERACTION_TYPES_ZH = ("拜访", "电话", "会议", "技术交流", "投诉")
_INTERACTION_WEIGHTS = np.array([0.40, 0.35, 0.10, 0.10, 0.05])
TARGET_STATUS_ZH = ("未接触", "已接触", "跟进中", "已成交")
_UNIT_TYPES_ZH = ("工厂", "基地", "事业部")
_SURVEY_COMMENTS = (
    "交付及时",
    "技术支持响应快",
    "价格偏高",
    "希望加强培训",
    "产品稳定可靠",
    "售后服务满意",
    "希望缩短交期",
)
_LOST_REASONS = ("价格偏高", "选择竞品", "项目取消", "预算不足", "技术方案不匹配")
_OPEN_STAGES = ("qualification", "proposal", "negotiation")


@dataclass(frozen=True)
class _Industry:
    """An industry of the customer base, with its market data and how we sell into it."""

    name: str
    level2: tuple[str, ...]
    words: tuple[str, ...]  # words of company names in the industry
    mix: tuple[float, ...]  # Dirichlet concentration over PRODUCT_LINES
    weight: float  # share of customers
    win: float  # win probability of an expansion opportunity
    # market size 亿元, growth, investment events, investment 亿元, top-20 share, our fit 0-10
    market: tuple[float, float, int, float, float, int] | None
    targets: int  # length of the target-account list
    coverage: tuple[float, float, float, float]  # target status shares, as TARGET_STATUS_ZH


INDUSTRIES = (
    _Industry(
        "汽车零部件",
        ("车身件", "动力总成", "汽车电子", "底盘系统"),
        ("汽车部件", "汽配", "精密机械", "车辆配件"),
        (8, 5, 1, 2, 1.5),
        0.16,
        0.33,
        (3800, 0.08, 95, 210, 0.40, 8),
        60,
        (0.30, 0.25, 0.20, 0.25),
    ),
    _Industry(
        "电子制造",
        ("PCB", "消费电子", "半导体封测", "电子元器件"),
        ("电子", "电子科技", "微电子", "光电科技"),
        (9, 3, 2, 1.5, 1),
        0.13,
        0.31,
        (5200, 0.10, 120, 300, 0.35, 7),
        50,
        (0.35, 0.30, 0.15, 0.20),
    ),
    _Industry(
        "新能源",
        ("锂电池", "光伏", "储能", "氢能"),
        ("新能源", "锂能科技", "光伏科技", "储能科技"),
        (3, 7, 2, 1.5, 4),
        0.10,
        0.33,
        (4500, 0.25, 180, 650, 0.45, 9),
        40,
        (0.15, 0.20, 0.25, 0.40),
    ),
    _Industry(
        "机械装备",
        ("机床", "工程机械", "通用设备", "机器人"),
        ("机械", "重工", "智能装备", "机电"),
        (3, 8, 1, 2, 1.5),
        0.12,
        0.29,
        (2600, 0.06, 60, 90, 0.30, 7),
        40,
        (0.40, 0.30, 0.15, 0.15),
    ),
    _Industry(
        "食品饮料",
        ("乳制品", "饮料", "食品加工"),
        ("食品", "饮品", "乳业"),
        (7, 2, 2, 3, 0.5),
        0.06,
        0.25,
        (1500, 0.04, 25, 40, 0.22, 4),
        25,
        (0.60, 0.25, 0.10, 0.05),
    ),
    _Industry(
        "医药制造",
        ("化学药", "医疗器械", "生物制品"),
        ("制药", "医疗器械", "生物医药"),
        (3, 1.5, 7, 2.5, 1),
        0.06,
        0.27,
        (1800, 0.09, 70, 160, 0.38, 5),
        25,
        (0.50, 0.25, 0.15, 0.10),
    ),
    _Industry(
        "化工",
        ("精细化工", "塑料制品", "涂料"),
        ("化工", "新材料", "塑胶"),
        (7, 3, 1, 3, 0.5),
        0.05,
        0.25,
        (2200, 0.03, 20, 35, 0.18, 3),
        20,
        (0.65, 0.20, 0.10, 0.05),
    ),
    _Industry(
        "冶金",
        ("钢铁", "有色金属"),
        ("钢铁", "金属材料", "铝业"),
        (2, 7, 1, 4, 1),
        0.04,
        0.25,
        (1200, -0.02, 8, 10, 0.55, 3),
        15,
        (0.75, 0.15, 0.05, 0.05),
    ),
    # The catch-all label: a quarter of the customers, buying anything (see _plant_catch_all).
    _Industry(
        "商务服务",
        ("贸易", "系统集成", "工程服务", "咨询"),
        ("贸易", "工程技术", "实业", "商贸", "技术服务"),
        (0.35, 0.35, 0.35, 0.35, 0.35),
        0.26,
        0.28,
        None,
        0,
        (1.0, 0.0, 0.0, 0.0),
    ),
)
AUTO, ELECTRONICS, NEW_ENERGY, MACHINERY = range(4)
CATCH_ALL = len(INDUSTRIES) - 1
CATCH_ALL_LABEL = INDUSTRIES[CATCH_ALL].name
NEAR_DUPLICATE_LABEL = "汽车零部件业"  # a second spelling of 汽车零部件
NEAR_DUPLICATE_SHARE = 0.2  # of the 汽车零部件 customers
EMPTY_INDUSTRY_SHARE = 0.03
_GENERIC_WORDS = ("科技", "实业", "工业")
_GENERIC_MIX = (2.0, 2.0, 1.0, 1.0, 1.0)

_CITIES = (
    ("苏州", "江苏"),
    ("无锡", "江苏"),
    ("常州", "江苏"),
    ("南京", "江苏"),
    ("南通", "江苏"),
    ("昆山", "江苏"),
    ("扬州", "江苏"),
    ("宁波", "浙江"),
    ("杭州", "浙江"),
    ("温州", "浙江"),
    ("台州", "浙江"),
    ("嘉兴", "浙江"),
    ("绍兴", "浙江"),
    ("上海", "上海"),
    ("深圳", "广东"),
    ("东莞", "广东"),
    ("佛山", "广东"),
    ("广州", "广东"),
    ("惠州", "广东"),
    ("中山", "广东"),
    ("珠海", "广东"),
    ("青岛", "山东"),
    ("烟台", "山东"),
    ("济南", "山东"),
    ("潍坊", "山东"),
    ("武汉", "湖北"),
    ("襄阳", "湖北"),
    ("成都", "四川"),
    ("绵阳", "四川"),
    ("合肥", "安徽"),
    ("芜湖", "安徽"),
    ("厦门", "福建"),
    ("泉州", "福建"),
    ("福州", "福建"),
    ("郑州", "河南"),
    ("洛阳", "河南"),
    ("天津", "天津"),
    ("北京", "北京"),
    ("长沙", "湖南"),
    ("株洲", "湖南"),
    ("重庆", "重庆"),
    ("沈阳", "辽宁"),
    ("大连", "辽宁"),
    ("西安", "陕西"),
    ("长春", "吉林"),
    ("石家庄", "河北"),
    ("唐山", "河北"),
    ("南昌", "江西"),
    ("柳州", "广西"),
    ("太原", "山西"),
)
_BRAND_CHARS = (
    "华瑞恒鑫宏泰盛达博精通航联创远利源德信安康凯隆昌兴丰明辉新力天正佳永嘉和威科美中金亚汇"
)
_FORMS = ("有限公司", "股份有限公司", "有限责任公司")
_BRANDS = len(_BRAND_CHARS) * (len(_BRAND_CHARS) - 1)
_NAME_COMBOS = len(_CITIES) * _BRANDS * len(_FORMS)
_TARGET_NAMES = sum(ind.targets for ind in INDUSTRIES)
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建国斌宇浩凯健俊帆晨欣怡婷雪琳峰"
)
_CN_ORDINALS = "一二三四五六七八"
_BU_WORDS = ("传感", "电驱", "热管理", "底盘", "储能", "装配", "检测", "物流")

# --- What is planted ------------------------------------------------------------------------

GROUP_SHARES = (0.14, 0.10, 0.06, 0.03)  # TTM revenue shares of the group's parent and members
BLACK_HOLE_SHARES = (0.035, 0.030, 0.025)
N_KEY_ACCOUNTS = 10
N_SAMPLE_ONLY = 20
N_POC_CONVERTED = 10
N_TRANSACTIONAL = 5
N_KEY_PERSON_EMPLOYEE = 3
N_KEY_PERSON_SINGLE = 2
N_WELL_COVERED = 5
CAPITAL_RATE = 0.06  # METRICS.md section 3 default, used to recompute true margins in the truth

ROLE_BACKGROUND, ROLE_GROUP, ROLE_BLACK_HOLE, ROLE_KEY_ACCOUNT = 0, 1, 2, 3
ROLE_TRAITOR, ROLE_DECOY, ROLE_SAMPLE_ONLY, ROLE_POC = 4, 5, 6, 7


@dataclass(frozen=True)
class _Recipe:
    """How a planted shrinker (silent traitor or decoy) moves from the prior TTM to the TTM."""

    group: str  # silent_traitor, or the decoy kind
    signals: tuple[str, ...]  # the silent-traitor signals it is built to fire
    revenue: float  # TTM revenue / prior-TTM revenue
    orders: float  # TTM orders / prior-TTM orders
    dropped: float  # prior-TTM revenue share of a product line that stops in the TTM
    wallet: tuple[float, float]  # wallet share in the prior year and the as-of year
    earlier: int  # survey score before the latest
    latest: int  # latest survey score
    nps: bool = False  # scores on the NPS 0-10 scale instead of CSAT 1-5


TRAITOR_RECIPES = (
    _Recipe("silent_traitor", ("revenue",), 0.60, 1.00, 0.0, (0.35, 0.35), 4, 5),
    _Recipe("silent_traitor", ("revenue", "orders"), 0.50, 0.50, 0.0, (0.35, 0.35), 5, 4),
    _Recipe("silent_traitor", ("orders",), 1.00, 0.45, 0.0, (0.35, 0.35), 4, 4),
    _Recipe("silent_traitor", ("orders",), 1.03, 0.50, 0.0, (0.35, 0.35), 5, 5),
    _Recipe("silent_traitor", ("product_line",), 1.00, 1.00, 0.30, (0.35, 0.35), 4, 5),
    _Recipe("silent_traitor", ("product_line", "revenue"), 0.65, 0.95, 0.35, (0.35, 0.35), 5, 4),
    _Recipe("silent_traitor", ("wallet",), 1.02, 1.00, 0.0, (0.40, 0.25), 4, 5),
    _Recipe("silent_traitor", ("wallet", "revenue"), 0.70, 0.95, 0.0, (0.40, 0.28), 9, 9, nps=True),
)
DECOY_RECIPES = (
    *[_Recipe("satisfied_stable", (), 1.15, 1.10, 0.0, (0.35, 0.35), 4, 5)] * 3,
    *[_Recipe("unsatisfied_shrinking", (), 0.55, 0.50, 0.0, (0.35, 0.35), 2, s) for s in (2, 1, 2)],
    *[_Recipe("satisfied_small_dip", (), 0.95, 0.95, 0.0, (0.35, 0.34), 5, 4)] * 3,
)


@dataclass(frozen=True)
class DemoFiles:
    """What :func:`generate` wrote: the export files and the truth of what was planted."""

    files: tuple[Path, ...]  # export files, customers first, then invoices, then the rest
    truth_path: Path  # JSON of what was planted
    truth: dict[str, Any]


# --- Days and calendars ---------------------------------------------------------------------

_EPOCH = date(1970, 1, 1)
_EARLIEST_FIRST_DATE = date(2012, 1, 1)
_MONTH_WEIGHT = np.array([0.85, 0.55, 1.0, 1.0, 1.0, 1.15, 0.95, 0.95, 1.05, 0.9, 1.05, 1.35])
_WEEKDAY_WEIGHT = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.12, 0.04])  # Monday first


def _day(d: date) -> int:
    return (d - _EPOCH).days


def _date(day: int | np.integer[Any]) -> date:
    return _EPOCH + timedelta(days=int(day))


def _iso(day: int | np.integer[Any]) -> str:
    return _date(day).isoformat()


def _add_months(d: date, months: int) -> date:
    """``d`` plus calendar months, the day clipped to the month's end (2024-03-31 - 1 = 02-29)."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(year, month0 + 1, min(d.day, calendar.monthrange(year, month0 + 1)[1]))


def _ymd(days: Arr) -> tuple[Arr, Arr, Arr]:
    """Year, month and day of each day number (days since 1970-01-01)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    years = d.astype("datetime64[Y]")
    return (
        years.astype(np.int64) + 1970,
        (months - years.astype("datetime64[M]")).astype(np.int64) + 1,
        (d - months.astype("datetime64[D]")).astype(np.int64) + 1,
    )


def _month_index(days: Arr) -> Arr:
    """Months since 1970-01 of each day number."""
    return (
        np.asarray(days, dtype=np.int64)
        .astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype(np.int64)
    )


def _month_start(months: Arr) -> Arr:
    """The first day of each month index."""
    return (
        np.asarray(months, dtype=np.int64)
        .astype("datetime64[M]")
        .astype("datetime64[D]")
        .astype(np.int64)
    )


def _add_months_days(days: Arr, months: Arr) -> Arr:
    """Vectorised :func:`_add_months` on day numbers."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    offset = (d - m.astype("datetime64[D]")).astype(np.int64)
    target = m + np.asarray(months, dtype=np.int64).astype("timedelta64[M]")
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    return target.astype("datetime64[D]").astype(np.int64) + np.minimum(offset, length - 1)


@dataclass(frozen=True)
class _Calendar:
    """The history: its days, the twelve-month windows back from the as-of date, seasonality."""

    start: int  # first day of the history
    end: int  # the as-of date: the last invoice date
    windows: tuple[tuple[int, int], ...]  # (first, last) day of each window, the TTM first
    crm_start: int  # the CRM went live a year into the history
    weight: Arr  # invoicing weight of each day from start to end (season, weekday)
    cdf: Arr

    @property
    def ttm(self) -> tuple[int, int]:
        """First and last day of the trailing twelve months."""
        return self.windows[0]

    @property
    def prior(self) -> tuple[int, int]:
        """First and last day of the twelve months before the TTM."""
        return self.windows[1]

    def window_of(self, days: Arr) -> Arr:
        """Index of the twelve-month window holding each day (0 = TTM); -1 outside."""
        starts = np.array([w[0] for w in reversed(self.windows)])
        pos = np.searchsorted(starts, days, side="right") - 1
        k = len(self.windows) - 1 - pos
        return np.where((pos >= 0) & (days <= self.end), k, -1)


def _calendar(end: date, years: int) -> _Calendar:
    windows = tuple(
        (_day(_add_months(end, -12 * (k + 1))) + 1, _day(_add_months(end, -12 * k)))
        for k in range(years)
    )
    start = windows[-1][0]
    days = np.arange(start, _day(end) + 1)
    _, month, _ = _ymd(days)
    weight = _MONTH_WEIGHT[month - 1] * _WEEKDAY_WEIGHT[(days + 3) % 7]
    return _Calendar(start, _day(end), windows, windows[-2][0], weight, np.cumsum(weight))


def _sample_days(rng: np.random.Generator, cal: _Calendar, lo: Arr, hi: Arr) -> Arr:
    """One day in each [lo, hi] (inclusive), following the seasonal weights."""
    a = np.asarray(lo, dtype=np.int64) - cal.start
    b = np.asarray(hi, dtype=np.int64) - cal.start
    low = cal.cdf[a] - cal.weight[a]
    u = low + rng.random(len(a)) * (cal.cdf[b] - low)
    return cal.start + np.clip(np.searchsorted(cal.cdf, u, side="left"), a, b)


# --- Strings, vectorised --------------------------------------------------------------------


def _pick(options: Sequence[str], index: Arr) -> Arr:
    """``options[index]`` as an object array (index -1 gives None)."""
    table = np.array([*options, None], dtype=object)
    return table[np.where(np.asarray(index) < 0, len(options), index)]


def _concat(*parts: Arr | str) -> Arr:
    """Element-wise string concatenation of object arrays and constants."""
    arrays = [p if isinstance(p, str) else pa.array(p, type=pa.string()) for p in parts]
    return np.asarray(
        pc.binary_join_element_wise(*arrays, "").to_numpy(zero_copy_only=False), dtype=object
    )


def _int_text(values: Arr) -> Any:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def _pad(values: Arr, width: int) -> Any:
    return pc.utf8_lpad(_int_text(values), width=width, padding="0")


def _null_where(text: Any, null: Arr) -> Any:
    return pc.if_else(pa.array(np.asarray(null, dtype=bool)), pa.scalar(None, pa.string()), text)


def _ids(prefix: str, numbers: Arr, width: int) -> Any:
    return pc.binary_join_element_wise(prefix, _pad(numbers, width), "")


DATE_SLASH, DATE_ISO, DATE_COMPACT, DATE_CHINESE = range(4)


def _date_text(days: Arr, style: Arr | int = DATE_ISO) -> Any:
    """Dates as text in each row's style; days < 0 give empty cells."""
    days = np.asarray(days, dtype=np.int64)
    style = np.broadcast_to(np.asarray(style), days.shape)
    y, m, d = _ymd(np.maximum(days, 0))
    ys, ms, ds, mp, dp = _int_text(y), _int_text(m), _int_text(d), _pad(m, 2), _pad(d, 2)
    text = pc.case_when(
        pc.make_struct(
            pa.array(style == DATE_SLASH),
            pa.array(style == DATE_COMPACT),
            pa.array(style == DATE_CHINESE),
        ),
        pc.binary_join_element_wise(ys, ms, ds, "/"),
        pc.binary_join_element_wise(ys, mp, dp, ""),
        pc.binary_join_element_wise(ys, "年", ms, "月", ds, "日", ""),
        pc.binary_join_element_wise(ys, mp, dp, "-"),
    )
    return _null_where(text, days < 0)


MONEY_GROUPED, MONEY_YUAN_SIGN, MONEY_PLAIN = range(3)


def _money_text(cents: Arr, style: Arr | int = MONEY_GROUPED) -> Any:
    """Amounts in cents as text: 1,234.56 / ¥1,234.56 / 1234.56 (negatives never carry ¥)."""
    cents = np.asarray(cents, dtype=np.int64)
    style = np.broadcast_to(np.asarray(style), cents.shape)
    yuan, fen = np.divmod(np.abs(cents), 100)
    fen_text = _pad(fen, 2)
    plain = pc.binary_join_element_wise(_int_text(yuan), fen_text, ".")
    g0, g1, g2 = _pad(yuan % 1000, 3), _pad(yuan // 1000 % 1000, 3), _pad(yuan // 10**6 % 1000, 3)
    grouped = pc.case_when(
        pc.make_struct(pa.array(yuan >= 10**9), pa.array(yuan >= 10**6), pa.array(yuan >= 1000)),
        pc.binary_join_element_wise(_int_text(yuan // 10**9), g2, g1, g0, ","),
        pc.binary_join_element_wise(_int_text(yuan // 10**6), g1, g0, ","),
        pc.binary_join_element_wise(_int_text(yuan // 1000), g0, ","),
        _int_text(yuan),
    )
    grouped = pc.binary_join_element_wise(grouped, fen_text, ".")
    text = pc.case_when(
        pc.make_struct(
            pa.array((style == MONEY_YUAN_SIGN) & (cents >= 0)), pa.array(style == MONEY_PLAIN)
        ),
        pc.binary_join_element_wise("¥", grouped, ""),
        plain,
        grouped,
    )
    return pc.if_else(pa.array(cents < 0), pc.binary_join_element_wise("-", text, ""), text)


def _decimal_text(values: Arr, decimals: int) -> Any:
    """Non-negative numbers with a fixed number of decimals, no separators."""
    scaled = np.rint(np.asarray(values, dtype=float) * 10**decimals).astype(np.int64)
    whole, frac = np.divmod(scaled, 10**decimals)
    return pc.binary_join_element_wise(_int_text(whole), _pad(frac, decimals), ".")


# --- Writers: CSV and a minimal deterministic xlsx ------------------------------------------


class _Csv:
    """A CSV file written in chunks: header, rows, blank ``,,,`` lines and raw rows."""

    def __init__(self, path: Path, headers: Sequence[str], encoding: str) -> None:
        self.path, self.width, self.encoding = path, len(headers), encoding
        self.rows = 0
        self._fh = path.open("wb")
        if encoding == "utf-8-sig":
            self._fh.write(b"\xef\xbb\xbf")
            self.encoding = "utf-8"
        self._write(",".join(headers) + "\n")

    def _write(self, text: str) -> None:
        self._fh.write(text.encode(self.encoding))

    def write(self, columns: Sequence[Any]) -> None:
        """Write rows given column by column (pyarrow string arrays, nulls empty).

        A value holding a comma or a quote is quoted.
        """
        cells = []
        for col in columns:
            col = pc.cast(col, pa.string())
            needs = pc.fill_null(
                pc.or_(pc.match_substring(col, ","), pc.match_substring(col, '"')), False
            )
            if pc.any(needs).as_py():
                quoted = pc.binary_join_element_wise(
                    '"', pc.replace_substring(col, '"', '""'), '"', ""
                )
                col = pc.if_else(needs, quoted, col)
            cells.append(pc.fill_null(col, ""))
        if not len(cells[0]):
            return
        lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, ","), "\n", "")
        # The string data of the array is the file's bytes: write it without Python strings.
        offsets = np.frombuffer(
            lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4
        )
        data = memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]]
        if self.encoding == "utf-8":
            self._fh.write(data)
        else:
            self._write(bytes(data).decode("utf-8"))
        self.rows += len(lines)

    def blank(self) -> None:
        """A fully blank row, as spreadsheets export them."""
        self._write("," * (self.width - 1) + "\n")

    def close(self) -> None:
        self._fh.close()


_XL_TEXT, _XL_NUMBER, _XL_DATE, _XL_MONTH, _XL_BOOL = range(5)
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XL_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XL_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XL_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XL_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XL_STATIC = {
    "[Content_Types].xml": (
        f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_XL_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_XL_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_XL_CT}.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'{_XML_HEAD}<Relationships xmlns="{_XL_PACKAGE_REL}"><Relationship Id="rId1" '
        f'Type="{_XL_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'{_XML_HEAD}<Relationships xmlns="{_XL_PACKAGE_REL}">'
        f'<Relationship Id="rId1" Type="{_XL_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_XL_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        f'{_XML_HEAD}<styleSheet xmlns="{_XL_MAIN}"><numFmts count="2">'
        '<numFmt numFmtId="164" formatCode="yyyy/m/d"/>'
        '<numFmt numFmtId="165" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="3">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        "</cellStyles></styleSheet>"
    ),
}
_EXCEL_EPOCH_OFFSET = 25569  # Excel serial of 1970-01-01


def _xml_escape(text: Any) -> Any:
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, raw, escaped)
    return text


def _xl_cells(kind: int, values: Any, ref: Any) -> Any:
    """Cell XML for one column (null where the value is empty)."""
    if kind == _XL_TEXT:
        text = _xml_escape(pc.cast(values, pa.string()))
        return pc.binary_join_element_wise(
            '<c r="', ref, '" t="inlineStr"><is><t>', text, "</t></is></c>", ""
        )
    arr = np.asarray(values)
    if kind == _XL_NUMBER:
        text = _null_where(
            pc.cast(pa.array(np.nan_to_num(arr.astype(float))), pa.string()),
            np.isnan(arr.astype(float)),
        )
        return pc.binary_join_element_wise('<c r="', ref, '"><v>', text, "</v></c>", "")
    if kind == _XL_BOOL:
        text = _null_where(_int_text(np.maximum(arr, 0)), arr < 0)
        return pc.binary_join_element_wise('<c r="', ref, '" t="b"><v>', text, "</v></c>", "")
    style = "1" if kind == _XL_DATE else "2"
    text = _null_where(_int_text(arr.astype(np.int64) + _EXCEL_EPOCH_OFFSET), arr < 0)
    return pc.binary_join_element_wise('<c r="', ref, f'" s="{style}"><v>', text, "</v></c>", "")


def _write_xlsx(
    path: Path,
    sheet: str,
    headers: Sequence[str],
    columns: Sequence[Sequence[tuple[int, Any]]],
    title: str | None = None,
) -> None:
    """Write one sheet: optional title row, header row, then the columns.

    Each column is a list of (kind, values) alternatives; a cell takes the first non-empty one
    (so one column can mix text and date cells). The package has fixed timestamps, so the
    same data gives the same bytes.
    """
    letters = [chr(ord("A") + i) for i in range(len(headers))]
    first = 2 if title else 1
    n = len(columns[0][0][1]) if columns else 0
    rows = np.arange(first + 1, first + 1 + n)
    row_text = _int_text(rows)
    cells = []
    for letter, alternatives in zip(letters, columns, strict=True):
        ref = pc.binary_join_element_wise(letter, row_text, "")
        parts = [_xl_cells(kind, values, ref) for kind, values in alternatives]
        cells.append(pc.coalesce(*parts) if len(parts) > 1 else parts[0])
    body = pc.binary_join_element_wise(
        '<row r="', row_text, '">', *cells, "</row>", "", null_handling="skip"
    )
    head_rows = []
    if title:
        head_rows.append(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{title}</t></is></c></row>')
    head_cells = "".join(
        f'<c r="{letter}{first}" t="inlineStr"><is><t>{h}</t></is></c>'
        for letter, h in zip(letters, headers, strict=True)
    )
    head_rows.append(f'<row r="{first}">{head_cells}</row>')
    last = first + n
    xml = (
        f'{_XML_HEAD}<worksheet xmlns="{_XL_MAIN}"><dimension ref="A1:{letters[-1]}{last}"/>'
        f"<sheetData>{''.join(head_rows)}{''.join(body.to_pylist())}</sheetData></worksheet>"
    )
    workbook = (
        f'{_XML_HEAD}<workbook xmlns="{_XL_MAIN}" xmlns:r="{_XL_REL}"><sheets>'
        f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    package = {**_XL_STATIC, "xl/workbook.xml": workbook, "xl/worksheets/sheet1.xml": xml}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(package):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, package[name].encode("utf-8"))


# --- People ---------------------------------------------------------------------------------


def _person_names(rng: np.random.Generator, k: int, *, distinct: bool) -> Arr:
    """Chinese personal names: a surname and one or two given characters."""
    s, g = len(_SURNAMES), len(_GIVEN)
    combos = s * (g + g * g)
    codes = rng.choice(combos, size=k, replace=False) if distinct else rng.integers(0, combos, k)
    surname, rest = np.divmod(codes, g + g * g)
    one = rest < g
    first = np.where(one, rest, (rest - g) // g)
    second = np.where(one, -1, (rest - g) % g)
    given2 = _pick(list(_GIVEN), second)
    given2[one] = ""
    return _concat(_pick(list(_SURNAMES), surname), _pick(list(_GIVEN), first), given2)


@dataclass(frozen=True)
class _Staff:
    """Our people: account managers first, then application engineers."""

    names: Arr
    sales: int


def _staff(rng: np.random.Generator, n_customers: int) -> _Staff:
    sales = max(12, n_customers // 40)
    engineers = max(6, n_customers // 120)
    return _Staff(_person_names(rng, sales + engineers, distinct=True), sales)


# --- The customer base ----------------------------------------------------------------------


@dataclass
class _Customers:
    """Every customer's attributes, one array element per customer (index = id order)."""

    n: int
    name_code: Arr
    name: Arr
    industry: Arr  # index into INDUSTRIES, -1 when empty
    industry_label: Arr
    level2: Arr
    city: Arr
    ownership: Arr
    source: Arr
    owner: Arr  # staff index of the account manager
    parent: Arr  # customer index of the group parent, -1
    lighthouse: Arr
    strategic: Arr
    joint_rnd: Arr
    legacy: Arr  # a customer since before the history starts
    first_day: Arr
    active_from: Arr
    last_day: Arr
    one_time: Arr
    gap: Arr  # (n, 2): first and last day of a pause in buying (reactivation), -1
    size: Arr  # yearly revenue scale, yuan
    freq: Arr  # invoices per year
    trend: Arr  # yearly growth of invoice values
    mix: Arr  # (n, 5) product-line probabilities
    terms: Arr  # payment terms, days
    delay: Arr  # mean days paid after the due date
    slow_pay: Arr  # pays 150-180 days after the invoice
    rebate: Arr  # rebate rate on commercial lines
    gross_margin: Arr  # override of the product-line margins (NaN = none)
    project_rate: Arr
    project_slots: Arr
    role: Arr

    @property
    def ids(self) -> Any:
        """Customer ids (KH000001 …) as a pyarrow string array."""
        return _ids("KH", np.arange(1, self.n + 1), 6)

    def id(self, index: int | np.integer[Any]) -> str:
        """The customer id of one customer index."""
        return f"KH{int(index) + 1:06d}"


def _industry_mix(rng: np.random.Generator, industry: Arr) -> Arr:
    alpha = np.array([*(ind.mix for ind in INDUSTRIES), _GENERIC_MIX])
    draws = rng.gamma(alpha[np.where(industry < 0, len(INDUSTRIES), industry)])
    draws = np.maximum(draws, 1e-9)
    return draws / draws.sum(axis=1, keepdims=True)


def _company_names(rng: np.random.Generator, codes: Arr, industry: Arr) -> tuple[Arr, Arr]:
    """Unique company names (苏州瑞恒精密机械有限公司) from name codes; also the city index."""
    city, rest = np.divmod(codes, _BRANDS * len(_FORMS))
    brand, form = np.divmod(rest, len(_FORMS))
    b1, b2 = np.divmod(brand, len(_BRAND_CHARS) - 1)
    b2 = b2 + (b2 >= b1)
    words = [*(ind.words for ind in INDUSTRIES), _GENERIC_WORDS]
    row = np.where(industry < 0, len(INDUSTRIES), industry)
    counts = np.array([len(w) for w in words])
    table = np.array([list(w) + [""] * (max(counts) - len(w)) for w in words], dtype=object)
    word = table[row, (rng.random(len(codes)) * counts[row]).astype(np.int64)]
    chars = list(_BRAND_CHARS)
    name = _concat(
        _pick([c for c, _ in _CITIES], city),
        _pick(chars, b1),
        _pick(chars, b2),
        word,
        _pick(_FORMS, form),
    )
    return name, city


def _set_industry(rng: np.random.Generator, cust: _Customers, idx: Arr, industry: int) -> None:
    """Move customers to an industry: label, level 2, product mix and a fitting name."""
    idx = np.asarray(idx)
    cust.industry[idx] = industry
    cust.industry_label[idx] = INDUSTRIES[industry].name
    l2 = INDUSTRIES[industry].level2
    cust.level2[idx] = _pick(l2, rng.integers(0, len(l2), len(idx)))
    cust.mix[idx] = _industry_mix(rng, cust.industry[idx])
    cust.name[idx], cust.city[idx] = _company_names(rng, cust.name_code[idx], cust.industry[idx])


def _draw_customers(
    rng: np.random.Generator, n: int, cal: _Calendar, staff: _Staff, name_codes: Arr
) -> _Customers:
    """Draw the background customer base.

    Who they are, how much and how often they buy, and when they come (cohorts growing every
    year) and go (churn, pauses, one-off buyers).
    """
    weights = np.array([ind.weight for ind in INDUSTRIES[:CATCH_ALL]])
    industry = rng.choice(CATCH_ALL, size=n, p=weights / weights.sum()).astype(np.int64)
    label = _pick([ind.name for ind in INDUSTRIES], industry)
    l2_counts = np.array([len(ind.level2) for ind in INDUSTRIES])
    l2_table = np.array(
        [list(ind.level2) + [None] * (4 - len(ind.level2)) for ind in INDUSTRIES], dtype=object
    )
    level2 = l2_table[industry, (rng.random(n) * l2_counts[industry]).astype(np.int64)]
    name, city = _company_names(rng, name_codes, industry)

    legacy = rng.random(n) < 0.30
    earliest = min(_day(_EARLIEST_FIRST_DATE), cal.start - 1826)  # or 5 years before
    legacy_first = rng.integers(earliest, cal.start - 30, n)
    horizon = (cal.end - 14 - cal.start) / 365.25
    growth = 0.18  # each year brings more new customers than the last
    t = np.log1p(rng.random(n) * math.expm1(growth * horizon)) / growth
    acquired = cal.start + np.floor(t * 365.25).astype(np.int64)
    active_from = np.where(legacy, cal.start, acquired)
    one_time = ~legacy & (rng.random(n) < 0.12)
    life = np.where(legacy, rng.weibull(1.0, n) * 9.0, rng.weibull(0.8, n) * 6.0)
    last_day = np.minimum(active_from + (life * 365.25).astype(np.int64), cal.end)
    last_day = np.where(one_time, active_from, np.maximum(last_day, active_from))
    span = last_day - active_from
    gap_len = rng.integers(395, 600, n)
    room = span - 240 - gap_len
    has_gap = ~one_time & (span >= 900) & (room > 0) & (rng.random(n) < 0.15)
    gap_start = active_from + 120 + (rng.random(n) * np.maximum(room, 0)).astype(np.int64)
    gap = np.where(has_gap[:, None], np.stack([gap_start, gap_start + gap_len], axis=1), -1)

    frac = np.where(legacy, 0.0, (active_from - cal.start) / max(cal.end - cal.start, 1))
    referral = 0.12 + 0.25 * frac  # word of mouth grows as the base matures
    u = rng.random(n)
    source = np.select([u < referral, u < referral + 0.25, u < referral + 0.53], [0, 1, 2], 3)

    size = np.clip(rng.lognormal(math.log(2.5e5), 1.1, n), 2e4, 2.5e7)
    freq = np.clip(10.5 * (size / 2.5e5) ** 0.3 * rng.lognormal(0, 0.35, n), 1, 60)
    return _Customers(
        n=n,
        name_code=name_codes,
        name=name,
        industry=industry,
        industry_label=label,
        level2=level2,
        city=city,
        ownership=rng.choice(5, size=n, p=[0.55, 0.15, 0.15, 0.12, 0.03]),
        source=source,
        owner=rng.integers(0, staff.sales, n),
        parent=np.full(n, -1, dtype=np.int64),
        lighthouse=rng.random(n) < 0.03,
        strategic=rng.random(n) < 0.02,
        joint_rnd=rng.random(n) < 0.02,
        legacy=legacy,
        first_day=np.where(legacy, legacy_first, acquired),
        active_from=active_from,
        last_day=last_day,
        one_time=one_time,
        gap=gap,
        size=size,
        freq=freq,
        trend=np.clip(rng.normal(0.04, 0.22, n), -0.5, 0.6),
        mix=_industry_mix(rng, industry),
        terms=rng.choice([30, 60, 90, 120], size=n, p=[0.3, 0.35, 0.3, 0.05]),
        delay=rng.normal(8, 10, n),
        slow_pay=np.zeros(n, dtype=bool),
        rebate=np.where(rng.random(n) < 0.25, rng.uniform(0.005, 0.03, n), 0.0),
        gross_margin=np.full(n, np.nan),
        project_rate=rng.uniform(0.3, 0.9, n),
        project_slots=np.clip(1 + freq // 8, 1, 4).astype(np.int64),
        role=np.zeros(n, dtype=np.int64),
    )


def _make_steady(cust: _Customers, cal: _Calendar, idx: Arr, first_day: Arr) -> None:
    """Planted accounts: customers since ``first_day``, buying until the as-of date."""
    first_day = np.asarray(first_day)
    cust.legacy[idx] = first_day < cal.start
    cust.first_day[idx] = first_day
    cust.active_from[idx] = np.maximum(first_day, cal.start)
    cust.last_day[idx] = cal.end
    cust.one_time[idx] = False
    cust.gap[idx] = -1


# --- Invoice segments and lines -------------------------------------------------------------


class _Segments:
    """Invoice segments: ``n`` invoices of one customer between two days, of one deal type.

    ``value`` is the mean invoice value at ``d0`` (growing with ``trend`` per year); with a
    ``target`` the segment's lines are rescaled to add up to it exactly. ``product`` -1 draws
    each line from the customer's product mix.
    """

    FIELDS = ("cust", "d0", "d1", "n", "value", "target", "product", "deal", "trend", "single")
    _TYPES = (np.int64, np.int64, np.int64, np.int64, float, float, np.int64, np.int64, float, bool)

    def __init__(self) -> None:
        self._parts: list[dict[str, Arr]] = []

    def add(
        self,
        cust: Arr | int,
        d0: Arr | int,
        d1: Arr | int,
        n: Arr | int,
        value: Arr | float,
        *,
        target: Arr | float = math.nan,
        product: Arr | int = -1,
        deal: Arr | int = COMMERCIAL,
        trend: Arr | float = 0.0,
        single: bool = False,
    ) -> None:
        """Add segments (scalars broadcast); empty ones (d1 < d0 or n < 1) are dropped."""
        values = (cust, d0, d1, n, value, target, product, deal, trend, single)
        size = len(np.atleast_1d(cust))
        part = {
            f: np.broadcast_to(np.asarray(v), (size,)).astype(t)
            for f, v, t in zip(self.FIELDS, values, self._TYPES, strict=True)
        }
        keep = (part["d1"] >= part["d0"]) & (part["n"] > 0)
        self._parts.append({f: a[keep] for f, a in part.items()})

    def arrays(self) -> dict[str, Arr]:
        """All segments as arrays."""
        return {f: np.concatenate([p[f] for p in self._parts]) for f in self.FIELDS}


@dataclass
class _Lines:
    """Invoice lines before they are numbered and rounded (amounts in yuan as ``base``)."""

    cust: Arr
    day: Arr
    inv: Arr  # invoice index, lines of one invoice contiguous
    line_no: Arr
    product: Arr
    deal: Arr
    base: Arr  # amount, or cost for free deals
    cost_ratio: Arr
    rebate_rate: Arr
    project: Arr  # project key, -1
    unit: Arr  # account unit index, -1
    origin: Arr  # 0 segment, 1 subscription, 2 credit note

    def __len__(self) -> int:
        return len(self.cust)


def _concat_lines(parts: Sequence[_Lines]) -> _Lines:
    offset, invs = 0, []
    for part in parts:
        invs.append(part.inv + offset)
        offset += int(part.inv.max()) + 1 if len(part) else 0
    joined = {f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(_Lines)}
    joined["inv"] = np.concatenate(invs)
    return _Lines(**joined)


def _draw_products(rng: np.random.Generator, mix: Arr, cust: Arr) -> Arr:
    cum = np.cumsum(mix, axis=1)
    u = rng.random(len(cust))
    product = np.zeros(len(cust), dtype=np.int64)
    for k in range(mix.shape[1] - 1):
        product += u > cum[cust, k]
    return product


def _lines_from_segments(
    rng: np.random.Generator, segs: _Segments, cust: _Customers, cal: _Calendar
) -> _Lines:
    """Expand segments into invoices (seasonal dates) and lines (products, values, costs)."""
    s = segs.arrays()
    n_seg = len(s["cust"])
    inv_seg = np.repeat(np.arange(n_seg), s["n"])
    n_inv = len(inv_seg)
    inv_day = _sample_days(rng, cal, s["d0"][inv_seg], s["d1"][inv_seg])
    n_lines = np.where(s["single"][inv_seg], 1, 1 + np.minimum(rng.poisson(0.8, n_inv), 5))
    inv = np.repeat(np.arange(n_inv), n_lines)
    n_all = len(inv)
    line_no = np.arange(n_all) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines) + 1
    seg = inv_seg[inv]
    c = s["cust"][seg]
    product = s["product"][seg].copy()
    drawn = product < 0
    product[drawn] = _draw_products(rng, cust.mix, c[drawn])

    weight = rng.gamma(2.0, 0.5, n_all) * _LINE_PRICE[product]
    years = (inv_day - s["d0"][inv_seg]) / 365.25
    inv_value = (
        s["value"][inv_seg] * rng.lognormal(0, 0.45, n_inv) * (1 + s["trend"][inv_seg]) ** years
    )
    base = inv_value[inv] * weight / np.bincount(inv, weight, minlength=n_inv)[inv]
    targeted = ~np.isnan(s["target"])
    totals = np.bincount(seg, base, minlength=n_seg)
    factor = np.ones(n_seg)
    factor[targeted] = s["target"][targeted] / totals[targeted]
    base *= factor[seg]

    deal = s["deal"][seg]
    margin = _GROSS_MARGIN[product] + rng.normal(0, 0.03, n_all)
    override = cust.gross_margin[c]
    margin = np.where(np.isnan(override), margin, override + rng.normal(0, 0.012, n_all))
    cost_ratio = np.select(
        [deal == SAMPLE, deal == POC, deal == PILOT, deal == FREE],
        [1.3, 0.85, 0.8, 1.0],
        np.clip(1 - margin, 0.2, 1.1),
    )
    rebate_rate = np.where(deal == COMMERCIAL, cust.rebate[c], 0.0)

    # Projects: per customer and year a few slots; many slots stay small (small-deal projects).
    inv_cust = s["cust"][inv_seg]
    year, _, _ = _ymd(inv_day)
    has = rng.random(n_inv) < cust.project_rate[inv_cust]
    slot = (rng.random(n_inv) * cust.project_slots[inv_cust]).astype(np.int64)
    key = (inv_cust * 64 + (year - 2000)) * 8 + slot
    key = np.where(
        s["deal"][inv_seg] == COMMERCIAL, np.where(has, key, -1), (inv_cust * 64 + 63) * 8
    )
    return _Lines(
        cust=c,
        day=inv_day[inv],
        inv=inv,
        line_no=line_no,
        product=product,
        deal=deal,
        base=base,
        cost_ratio=cost_ratio,
        rebate_rate=rebate_rate,
        project=key[inv],
        unit=np.full(n_all, -1, dtype=np.int64),
        origin=np.zeros(n_all, dtype=np.int64),
    )


# --- Background -----------------------------------------------------------------------------


def _background_segments(
    rng: np.random.Generator, cust: _Customers, cal: _Calendar, segs: _Segments
) -> None:
    """Add the realistic background's invoice segments.

    Repeat buyers growing or shrinking, one-off buyers, churn, pauses of over a year followed
    by a return (reactivation, METRICS §5), and samples or trials before a new customer's
    first order (METRICS §8).
    """
    idx = np.flatnonzero(cust.role == ROLE_BACKGROUND)
    af, last, gap = cust.active_from[idx], cust.last_day[idx], cust.gap[idx]
    value = cust.size[idx] / cust.freq[idx]
    has_gap = gap[:, 0] >= 0
    stop1 = np.where(has_gap, gap[:, 0] - 1, last)

    def count(lo: Arr, hi: Arr) -> Arr:
        years = (hi - lo + 1) / 365.25
        return np.maximum(1, rng.poisson(cust.freq[idx] * years))

    one = cust.one_time[idx]
    segs.add(idx, af, stop1, np.where(one, 1, count(af, stop1)), value, trend=cust.trend[idx])
    segs.add(
        idx[has_gap],
        gap[has_gap, 1],
        last[has_gap],
        count(gap[:, 1], last)[has_gap],
        value[has_gap] * 1.1,
        trend=cust.trend[idx][has_gap],
    )
    tried = ~cust.legacy[idx] & (rng.random(len(idx)) < 0.25) & (af - 20 >= cal.start)
    deal = rng.choice([SAMPLE, PILOT, FREE], size=len(idx), p=[0.5, 0.3, 0.2])
    segs.add(
        idx[tried],
        np.maximum(cal.start, af - 150)[tried],
        (af - 20)[tried],
        rng.integers(1, 3, len(idx))[tried],
        np.clip(cust.size[idx] * 0.02, 2000, 30000)[tried],
        deal=deal[tried],
        single=True,
    )


def _subscriptions(
    rng: np.random.Generator, cust: _Customers, cal: _Calendar
) -> tuple[dict[str, Arr], _Lines]:
    """Draw subscription contracts on 工业软件 / 维保服务 for about 8% of customers.

    They are billed quarterly in advance on the invoices and often renewed (MRR / ARR and the
    MRR bridge, METRICS §5).
    """
    soft = np.maximum(cust.mix[:, SOFTWARE], cust.mix[:, MAINTENANCE])
    eligible = (
        (cust.role == ROLE_BACKGROUND)
        & ~cust.one_time
        & (cust.last_day - cust.active_from >= 365)
        & (soft >= 0.12)
    )
    rate = 0.08 / max(float(eligible.mean()), 1e-9)
    idx = np.flatnonzero(eligible & (rng.random(cust.n) < rate))
    k = len(idx)
    product = np.where(cust.mix[idx, SOFTWARE] >= cust.mix[idx, MAINTENANCE], SOFTWARE, MAINTENANCE)
    mrr = np.round(np.clip(cust.size[idx] * rng.uniform(0.04, 0.12, k) / 12, 1500, 80000), -2)
    start = cust.active_from[idx] + rng.integers(0, 180, k)
    last = cust.last_day[idx]

    def ends(begin: Arr, months: Arr, last: Arr) -> Arr:
        """Contract end: empty while running at the as-of date, cut short by churn."""
        stop = _add_months_days(begin, months) - 1
        running = (stop >= cal.end) & (last >= cal.end)
        return np.where(running, -1, np.minimum(stop, last))

    end = ends(start, rng.choice([12, 24, 36], size=k), last)
    renew = (end >= 0) & (end < last - 30) & (rng.random(k) < 0.6)
    start2 = end[renew] + 1
    end2 = ends(start2, rng.choice([12, 24], size=int(renew.sum())), last[renew])
    subs = {
        "cust": np.concatenate([idx, idx[renew]]),
        "start": np.concatenate([start, start2]),
        "end": np.concatenate([end, end2]),
        "mrr": np.concatenate([mrr, np.round(mrr[renew] * 1.08, -2)]),
        "product": np.concatenate([product, product[renew]]),
    }
    stop = np.where(subs["end"] >= 0, subs["end"], cal.end)
    months = _month_index(stop) - _month_index(subs["start"])
    bills = months // 3 + 1
    row = np.repeat(np.arange(len(bills)), bills)
    quarter = np.arange(len(row)) - np.repeat(np.cumsum(bills) - bills, bills)
    day = _add_months_days(subs["start"][row], 3 * quarter)
    keep = day <= stop[row]
    row, day = row[keep], day[keep]
    n = len(row)
    prod = subs["product"][row]
    lines = _Lines(
        cust=subs["cust"][row],
        day=day,
        inv=np.arange(n),
        line_no=np.ones(n, dtype=np.int64),
        product=prod,
        deal=np.full(n, COMMERCIAL),
        base=3 * subs["mrr"][row],
        cost_ratio=1 - _GROSS_MARGIN[prod] + rng.normal(0, 0.02, n),
        rebate_rate=np.zeros(n),
        project=np.full(n, -1, dtype=np.int64),
        unit=np.full(n, -1, dtype=np.int64),
        origin=np.ones(n, dtype=np.int64),
    )
    order = np.lexsort((subs["start"], subs["cust"]))
    return {key: v[order] for key, v in subs.items()}, lines


def _credit_notes(
    rng: np.random.Generator, lines: _Lines, cust: _Customers, cal: _Calendar
) -> _Lines:
    """Draw credit notes (red invoices, negative amounts).

    Returns and price corrections on about 0.6% of background lines, 5-60 days after the
    original.
    """
    ok = (
        (lines.deal == COMMERCIAL)
        & (lines.origin == 0)
        & (lines.day <= cal.end - 5)
        & (cust.role[lines.cust] == ROLE_BACKGROUND)
    )
    pick = np.flatnonzero(ok & (rng.random(len(lines)) < 0.006))
    k = len(pick)
    frac = np.where(rng.random(k) < 0.5, 1.0, rng.uniform(0.1, 0.6, k))
    return _Lines(
        cust=lines.cust[pick],
        day=np.minimum(lines.day[pick] + rng.integers(5, 61, k), cal.end),
        inv=np.arange(k),
        line_no=np.ones(k, dtype=np.int64),
        product=lines.product[pick],
        deal=np.full(k, COMMERCIAL),
        base=-lines.base[pick] * frac,
        cost_ratio=lines.cost_ratio[pick],
        rebate_rate=np.zeros(k),
        project=lines.project[pick],
        unit=np.full(k, -1, dtype=np.int64),
        origin=np.full(k, 2, dtype=np.int64),
    )


# --- Planted phenomena ----------------------------------------------------------------------


def _steady_segments(
    segs: _Segments,
    cal: _Calendar,
    c: int,
    first: int,
    revenue: float,
    orders: float,
    growth: float,
) -> None:
    """Add one segment per twelve-month window with exact revenue and order count.

    Revenue grows ``growth`` a year, so a planted account never shrinks by accident.
    """
    for k, (lo, hi) in enumerate(cal.windows):
        frac = (hi - max(lo, first) + 1) / (hi - lo + 1)
        if frac <= 0:
            continue
        total = revenue * (1 + growth) ** (-k) * frac
        count = max(1, round(orders * frac))
        segs.add(c, max(lo, first), hi, count, total / count, target=total)


def _plant_top_group(
    rng: np.random.Generator, cust: _Customers, cal: _Calendar, segs: _Segments, members: Arr
) -> dict[str, Any]:
    """Plant the top customer as a group of a parent and three subsidiaries.

    Each member is its own customer row with ``parent_id`` = the parent.

    ``_scale_to_shares`` later sizes them to GROUP_SHARES of TTM revenue, so the group rolled
    up holds ~33% — over the 30% "shadow department" alert of METRICS §1 (default: roll up to
    the group) — while its largest member alone holds 14%: without the roll-up the alert
    stays silent.
    """
    parent = int(members[0])
    cust.role[members] = ROLE_GROUP
    _set_industry(rng, cust, members, AUTO)
    _make_steady(cust, cal, members, cal.start - rng.integers(900, 3000, len(members)))
    cust.parent[members[1:]] = parent
    cust.ownership[members] = [SOE, LISTED, SOE, PRIVATE][: len(members)]
    cust.lighthouse[parent] = True
    cust.strategic[members] = True
    cust.terms[members], cust.delay[members], cust.rebate[members] = 60, 5.0, 0.02
    cust.project_rate[members], cust.project_slots[members] = 0.8, 4
    cust.gross_margin[members] = np.nan
    brand = "".join(rng.choice(list(_BRAND_CHARS), size=2, replace=False))
    cities = [c for c, _ in _CITIES]
    cust.name[parent] = f"{cities[int(cust.city[parent])]}{brand}汽车集团有限公司"
    for m in members[1:]:
        cust.name[m] = f"{brand}汽车零部件（{cities[int(cust.city[m])]}）有限公司"
    for m in members:
        _steady_segments(segs, cal, int(m), cal.start, 5e6, 110, 0.06)
    segs.add(parent, cal.end, cal.end, 1, 5e4)  # the last invoice falls on the as-of date
    return {"parent": parent, "members": [int(m) for m in members]}


def _plant_black_holes(
    rng: np.random.Generator, cust: _Customers, cal: _Calendar, segs: _Segments, idx: Arr
) -> dict[str, Any]:
    """Plant value black holes (METRICS §3).

    Top-decile customers (sized to BLACK_HOLE_SHARES of TTM revenue by ``_scale_to_shares``)
    with a 5-10% gross margin against the company's ~33%, 180-day terms paid after 150-180
    days, rebates, and a dedicated service team and custom R&D tagged to them in the costs:
    a true margin far below zero.
    """
    cust.role[idx] = ROLE_BLACK_HOLE
    for i, industry in zip(idx, (NEW_ENERGY, ELECTRONICS, MACHINERY), strict=False):
        _set_industry(rng, cust, np.array([i]), industry)
    _make_steady(cust, cal, idx, cal.start - rng.integers(400, 2500, len(idx)))
    cust.mix[idx] = [0.10, 0.35, 0.05, 0.10, 0.40]
    cust.gross_margin[idx] = rng.uniform(0.06, 0.09, len(idx))
    cust.terms[idx], cust.slow_pay[idx], cust.rebate[idx] = 180, True, 0.03
    cust.strategic[idx] = True
    for c in idx:
        _steady_segments(segs, cal, int(c), cal.start, 2e6, 70, 0.03)
    return {"customers": [int(i) for i in idx]}


@dataclass(frozen=True)
class _Units:
    """The account units (plants, bases, BUs) of the key accounts."""

    cust: Arr
    code: Arr
    name: Arr
    unit_type: Arr
    potential: Arr
    adopted: Arr  # adoption day, -1 when not adopted yet


def _plant_key_accounts(
    rng: np.random.Generator, cust: _Customers, cal: _Calendar, segs: _Segments, idx: Arr
) -> _Units:
    """Plant key accounts with 3-8 units each (METRICS §6 penetration).

    The first unit adopts with the first order (before the history for the older accounts),
    the others over later quarters, some not yet (the whitespace). ``_apply_units`` stamps
    the adopted units' 工厂编号 on the invoices after adoption and grows revenue with each
    unit (land and expand).
    """
    cust.role[idx] = ROLE_KEY_ACCOUNT
    cities = [c for c, _ in _CITIES]
    rows: dict[str, list[Any]] = {f.name: [] for f in fields(_Units)}
    first_days = np.where(
        np.arange(len(idx)) < 4,
        cal.start - rng.integers(200, 1500, len(idx)),
        cal.start + rng.integers(90, 900, len(idx)),
    )
    _make_steady(cust, cal, idx, first_days)
    for i, c in enumerate(idx):  # one iteration per key account, not per invoice
        first = int(first_days[i])
        k = int(rng.integers(3, 9))
        later = np.sort(rng.integers(max(first, cal.start - 400) + 60, cal.end + 240, k - 1))
        adopted = np.concatenate([[first], later])
        adopted = np.where(adopted <= cal.end - 30, adopted, -1)
        if i % 3 != 0 and (adopted >= 0).all():
            adopted[-1] = -1  # whitespace left to win
        types = rng.choice(3, size=k, p=[0.6, 0.2, 0.2])
        unit_cities = rng.integers(0, len(cities), k)
        for j in range(k):
            city = cities[int(unit_cities[j])]
            rows["name"].append(
                f"{city}{_CN_ORDINALS[j]}厂"
                if types[j] == 0
                else f"{city}{j + 1}号基地"
                if types[j] == 1
                else f"{_BU_WORDS[j]}事业部"
            )
        rows["cust"] += [int(c)] * k
        rows["code"] += [f"{cust.id(c)}-{j + 1:02d}" for j in range(k)]
        rows["unit_type"] += [_UNIT_TYPES_ZH[t] for t in types]
        rows["potential"] += [int(p) for p in rng.integers(80, 900, k)]
        rows["adopted"] += [int(a) for a in adopted]
        # Equal totals per window before _apply_units grows them with the adopted units.
        _steady_segments(segs, cal, int(c), first, float(rng.uniform(4e6, 1e7)), 90, 0.0)
        if first >= cal.start:
            segs.add(c, first, first, 1, 5e4)  # the first order lands the first unit
    cust.project_rate[idx], cust.project_slots[idx] = 0.8, 4
    cust.lighthouse[idx[:4]] = True
    cust.strategic[idx[:3]] = True
    cust.joint_rnd[idx[::3]] = True
    return _Units(
        **{
            k: np.array(v, dtype=object if k in ("code", "name", "unit_type") else np.int64)
            for k, v in rows.items()
        }
    )


def _apply_units(rng: np.random.Generator, lines: _Lines, units: _Units) -> None:
    """Stamp key-account invoices with their units and grow them with adoption.

    Each invoice gets one of the units adopted by its date; its value grows with the number
    of adopted units.
    """
    for c in np.unique(units.cust):
        mine = np.flatnonzero(units.cust == c)
        mine = mine[units.adopted[mine] >= 0]
        mine = mine[np.argsort(units.adopted[mine], kind="stable")]
        sel = np.flatnonzero((lines.cust == c) & (lines.deal == COMMERCIAL))
        adopted_by = np.searchsorted(units.adopted[mine], lines.day[sel], side="right")
        invoices, which = np.unique(lines.inv[sel], return_inverse=True)
        u = rng.random(len(invoices))[which]  # one unit per invoice
        choice = np.minimum((u * adopted_by).astype(np.int64), np.maximum(adopted_by - 1, 0))
        lines.unit[sel] = np.where(adopted_by > 0, mine[choice], -1)
        lines.base[sel] *= (0.5 + adopted_by) / (0.5 + len(mine))


def _plant_shrinkers(
    rng: np.random.Generator,
    cust: _Customers,
    cal: _Calendar,
    segs: _Segments,
    idx: Arr,
    recipes: Sequence[_Recipe],
    role: int,
) -> list[dict[str, Any]]:
    """Plant customers whose TTM moves against the prior TTM as their recipe says.

    Revenue, orders and product lines per window are exact (one segment per window and line,
    single-line invoices), so each silent-traitor signal is either far past its METRICS §7
    threshold or clearly short of it. Wallet and surveys follow the recipe too.
    """
    cust.role[idx] = role
    _make_steady(cust, cal, idx, cal.start - rng.integers(400, 2500, len(idx)))
    cust.rebate[idx], cust.gross_margin[idx], cust.terms[idx] = 0.0, np.nan, 60
    (ttm0, ttm1), (prior0, prior1) = cal.ttm, cal.prior
    early_years = (prior0 - cal.start) / 365.25
    out = []
    for c, recipe in zip(idx, recipes, strict=True):  # one iteration per planted customer
        revenue = float(rng.uniform(1.5e6, 3.0e6))
        orders = int(rng.integers(24, 37))
        if recipe.dropped:
            products = rng.permutation(5)[:3]
            shares = np.array([recipe.dropped, *(np.array([0.55, 0.45]) * (1 - recipe.dropped))])
        else:
            products = rng.permutation(5)[: int(rng.integers(2, 4))]
            shares = np.array([0.6, 0.4]) if len(products) == 2 else np.array([0.5, 0.3, 0.2])
        ttm_shares = shares.copy()
        if recipe.dropped:
            ttm_shares[0] = 0.0
            ttm_shares /= ttm_shares.sum()
        periods = (
            (cal.start, prior0 - 1, revenue * early_years, orders * early_years, shares),
            (prior0, prior1, revenue, orders, shares),
            (ttm0, ttm1, revenue * recipe.revenue, orders * recipe.orders, ttm_shares),
        )
        for lo, hi, total, count, share in periods:
            for product, s in zip(products, share, strict=True):
                if s > 0:
                    segs.add(
                        c,
                        lo,
                        hi,
                        max(2, round(count * s)),
                        1.0,
                        target=total * s,
                        product=product,
                        single=True,
                    )
        out.append(
            {
                "customer": int(c),
                "recipe": recipe,
                "products": [int(p) for p in products],
                "dropped": int(products[0]) if recipe.dropped else None,
            }
        )
    return out


def _plant_silent_traitors(
    rng: np.random.Generator, cust: _Customers, cal: _Calendar, segs: _Segments, idx: Arr
) -> list[dict[str, Any]]:
    """Plant silent traitors (METRICS §7): satisfied customers who are leaving.

    Their latest survey is satisfied (CSAT 4-5, one NPS 9) yet they shrink: revenue down
    30-50%, orders down 50-55%, a product line worth 30-35% of the prior TTM gone, or wallet
    share down 12-15 points; each recipe names the signals it fires.
    """
    return _plant_shrinkers(rng, cust, cal, segs, idx, TRAITOR_RECIPES, ROLE_TRAITOR)


def _plant_traitor_decoys(
    rng: np.random.Generator, cust: _Customers, cal: _Calendar, segs: _Segments, idx: Arr
) -> list[dict[str, Any]]:
    """Plant the decoys of the silent-traitor test.

    Satisfied and growing; unsatisfied (CSAT 1-2) and shrinking; satisfied with a 5% dip that
    no threshold catches.
    """
    return _plant_shrinkers(rng, cust, cal, segs, idx, DECOY_RECIPES, ROLE_DECOY)


_PRE_SALES_VALUE = {SAMPLE: (3e3, 1.5e4), POC: (2e4, 6e4), PILOT: (1e4, 4e4), FREE: (2e3, 8e3)}


def _plant_sample_only(
    rng: np.random.Generator, cust: _Customers, cal: _Calendar, segs: _Segments, idx: Arr
) -> list[int]:
    """Plant sample-only customers (METRICS §8 pseudo-scale).

    One to three sample, POC, trial or free deals each, and never a commercial order.
    """
    cust.role[idx] = ROLE_SAMPLE_ONLY
    k = len(idx)
    first = rng.integers(cal.start + 365, cal.end - 90, k)
    _make_steady(cust, cal, idx, first)
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


def _plant_poc_conversions(
    rng: np.random.Generator, cust: _Customers, cal: _Calendar, segs: _Segments, idx: Arr
) -> dict[int, tuple[int, int]]:
    """Plant POC conversions (METRICS §8).

    One or two POC deals, then the first commercial order 60-240 days later and steady
    buying after it.
    """
    cust.role[idx] = ROLE_POC
    k = len(idx)
    poc = rng.integers(cal.start + 60, cal.end - 420, k)
    conversion = poc + rng.integers(60, 241, k)
    _make_steady(cust, cal, idx, poc)
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


def _plant_catch_all(rng: np.random.Generator, cust: _Customers) -> None:
    """Plant the industry-taxonomy problems (METRICS §10 taxonomy check).

    A catch-all label, 商务服务, for ~25% of the customers, who buy any mix of lines (a flat
    Dirichlet, so each one leans somewhere else, unlike the customers of a real industry);
    20% of 汽车零部件 customers spelled 汽车零部件业; ~3% with no industry at all.
    """
    u = rng.random(cust.n)
    catch_all = np.flatnonzero(u < INDUSTRIES[CATCH_ALL].weight)
    _set_industry(rng, cust, catch_all, CATCH_ALL)
    cust.level2[catch_all[rng.random(len(catch_all)) < 0.3]] = None
    empty = (u >= INDUSTRIES[CATCH_ALL].weight) & (
        u < INDUSTRIES[CATCH_ALL].weight + EMPTY_INDUSTRY_SHARE
    )
    cust.industry[empty] = -1  # their buying keeps the mix of the industry nobody recorded
    cust.industry_label[empty] = None
    cust.level2[empty] = None
    spelled = (cust.industry == AUTO) & (rng.random(cust.n) < NEAR_DUPLICATE_SHARE)
    cust.industry_label[spelled] = NEAR_DUPLICATE_LABEL


def _catch_all_truth(cust: _Customers) -> dict[str, Any]:
    """What the taxonomy looks like once every phenomenon is planted."""
    label = cust.industry_label
    return {
        "label": CATCH_ALL_LABEL,
        "customers": int((label == CATCH_ALL_LABEL).sum()),
        "share_of_customers": round(float((label == CATCH_ALL_LABEL).mean()), 4),
        "near_duplicates": [INDUSTRIES[AUTO].name, NEAR_DUPLICATE_LABEL],
        "near_duplicate_customers": int((label == NEAR_DUPLICATE_LABEL).sum()),
        "empty_industry_customers": int((cust.industry < 0).sum()),
        "empty_industry_share": round(float((cust.industry < 0).mean()), 4),
    }


# --- Scaling, rounding, numbering -----------------------------------------------------------


def _scale_to_shares(lines: _Lines, cal: _Calendar, n: int, targets: dict[int, float]) -> None:
    """Resize the targeted customers to their shares of TTM commercial revenue.

    The denominator is the revenue of the customers with positive TTM revenue (METRICS §1).
    """
    ttm = (lines.deal == COMMERCIAL) & (lines.day >= cal.ttm[0]) & (lines.day <= cal.ttm[1])
    revenue = np.bincount(lines.cust[ttm], lines.base[ttm], minlength=n)
    ids = np.array(list(targets))
    others = revenue.copy()
    others[ids] = 0.0
    total = others[others > 0].sum() / (1 - sum(targets.values()))
    factor = np.ones(n)
    factor[ids] = np.array(list(targets.values())) * total / revenue[ids]
    lines.base *= factor[lines.cust]


@dataclass
class _Ledger:
    """The invoice lines as written: file order, amounts in cents, invoices numbered by date."""

    cust: Arr
    day: Arr
    invoice: Arr  # invoice number - 1, increasing with the date
    line_no: Arr
    product: Arr
    deal: Arr
    amount: Arr
    cost: Arr
    rebate: Arr
    project: Arr  # index into project_labels, -1
    unit: Arr  # index into the units, -1
    money_style: Arr
    inv_cust: Arr  # per invoice
    inv_day: Arr
    inv_terms: Arr
    inv_due: Arr
    inv_paid: Arr
    inv_date_style: Arr
    inv_terms_style: Arr
    project_labels: Any

    def __len__(self) -> int:
        return len(self.cust)


def _finalise(rng: np.random.Generator, lines: _Lines, cust: _Customers, cal: _Calendar) -> _Ledger:
    """Round to cents, number invoices in date order, add payments and project numbers."""
    n_inv = int(lines.inv.max()) + 1
    first = np.flatnonzero(lines.line_no == 1)
    tiebreak = rng.random(n_inv)
    rank = np.empty(n_inv, dtype=np.int64)
    rank[np.lexsort((tiebreak, lines.day[first]))] = np.arange(n_inv)
    order = np.argsort(rank[lines.inv], kind="stable")
    invoice = rank[lines.inv][order]
    base, deal = lines.base[order], lines.deal[order]
    amount = np.where(deal == FREE, 0, np.rint(base * 100)).astype(np.int64)
    cost = np.rint(base * lines.cost_ratio[order] * 100).astype(np.int64)
    rebate = np.where(amount > 0, np.rint(base * lines.rebate_rate[order] * 100), 0).astype(
        np.int64
    )
    cust_l, day = lines.cust[order], lines.day[order]

    inv_first = np.flatnonzero(np.r_[True, invoice[1:] != invoice[:-1]])
    inv_cust, inv_day = cust_l[inv_first], day[inv_first]
    total = np.bincount(invoice, amount, minlength=n_inv)
    terms = cust.terms[inv_cust]
    delay = np.rint(rng.normal(cust.delay[inv_cust], 7.0)).astype(np.int64)
    paid = inv_day + np.maximum(terms + delay, 3)
    paid = np.where(cust.slow_pay[inv_cust], inv_day + rng.integers(150, 181, n_inv), paid)
    unpaid = (total <= 0) | (rng.random(n_inv) < 0.004) | (paid > cal.end)
    paid = np.where(unpaid, -1, paid)
    due = np.where(total < 0, -1, inv_day + terms)

    key = lines.project[order]
    has = key >= 0
    uniq, first_at, inverse = np.unique(key[has], return_index=True, return_inverse=True)
    by_appearance = np.argsort(first_at, kind="stable")
    appearance = np.empty(len(uniq), dtype=np.int64)
    appearance[by_appearance] = np.arange(len(uniq))
    year, _, _ = _ymd(day[has][first_at])
    ordered = np.lexsort((appearance, year))
    seq = np.empty(len(uniq), dtype=np.int64)
    year_sorted = year[ordered]
    group_start = np.r_[0, np.flatnonzero(year_sorted[1:] != year_sorted[:-1]) + 1]
    starts = np.repeat(group_start, np.diff(np.r_[group_start, len(uniq)]))
    seq[ordered] = np.arange(len(uniq)) - starts + 1
    labels = pc.binary_join_element_wise("XM", _int_text(year), "-", _pad(seq, 6), "")
    project = np.full(len(key), -1, dtype=np.int64)
    project[has] = inverse

    return _Ledger(
        cust=cust_l,
        day=day,
        invoice=invoice,
        line_no=lines.line_no[order],
        product=lines.product[order],
        deal=deal,
        amount=amount,
        cost=cost,
        rebate=rebate,
        project=project,
        unit=lines.unit[order],
        money_style=rng.choice(3, size=len(order), p=[0.6, 0.15, 0.25]),
        inv_cust=inv_cust,
        inv_day=inv_day,
        inv_terms=terms,
        inv_due=due,
        inv_paid=paid,
        inv_date_style=rng.choice(3, size=n_inv, p=[0.5, 0.35, 0.15]),
        inv_terms_style=(rng.random(n_inv) < 0.5).astype(np.int64),
        project_labels=labels,
    )


# --- Per-customer facts ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    """Per-customer figures of the ledger by twelve-month window (index 0 = TTM)."""

    revenue: Arr  # (n, years) commercial revenue, cents
    orders: Arr  # (n, years) commercial invoices with a positive amount
    line_revenue: Arr  # (n, 2, 5) commercial revenue by product line in the TTM and prior
    all_line_revenue: Arr  # (n, 5) all-time commercial revenue by product line
    first_commercial: Arr  # day of the first commercial invoice, -1
    any_commercial: Arr


def _facts(ledger: _Ledger, cal: _Calendar, n: int) -> _Facts:
    years = len(cal.windows)
    com = ledger.deal == COMMERCIAL
    window = cal.window_of(ledger.day)
    sel = com & (window >= 0)
    revenue = np.bincount(
        ledger.cust[sel] * years + window[sel], ledger.amount[sel], minlength=n * years
    ).reshape(n, years)
    inv_total = np.bincount(
        ledger.invoice, np.where(com, ledger.amount, 0), minlength=len(ledger.inv_day)
    )
    inv_com = np.bincount(ledger.invoice, com, minlength=len(ledger.inv_day)) > 0
    inv_window = cal.window_of(ledger.inv_day)
    ok = inv_com & (inv_total > 0) & (inv_window >= 0)
    orders = np.bincount(ledger.inv_cust[ok] * years + inv_window[ok], minlength=n * years).reshape(
        n, years
    )
    two = sel & (window <= 1)
    line_revenue = np.bincount(
        (ledger.cust[two] * 2 + window[two]) * 5 + ledger.product[two],
        ledger.amount[two],
        minlength=n * 10,
    ).reshape(n, 2, 5)
    all_lines = np.bincount(
        ledger.cust[com] * 5 + ledger.product[com], ledger.amount[com], minlength=n * 5
    ).reshape(n, 5)
    first = np.full(n, -1, dtype=np.int64)
    cust_com = ledger.cust[com]
    uniq, at = np.unique(cust_com, return_index=True)
    first[uniq] = ledger.day[com][at]
    return _Facts(revenue, orders, line_revenue, all_lines, first, first >= 0)


# --- Relationships --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Relations:
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


def _plant_relationships(
    rng: np.random.Generator,
    cust: _Customers,
    facts: _Facts,
    cal: _Calendar,
    staff: _Staff,
    key_accounts: Arr,
) -> tuple[_Relations, dict[str, Any]]:
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
    dept = rng.choice(6, size=len(contact_cust), p=_DEPARTMENT_WEIGHTS)
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
    i_day = _sample_days(rng, cal, lo[i_cust], hi[i_cust])
    i_contact = offset[i_cust] + (rng.random(len(i_cust)) * count[i_cust]).astype(np.int64)
    i_emp = np.where(
        rng.random(len(i_cust)) < 0.7,
        cust.owner[i_cust],
        rng.integers(0, len(staff.names), len(i_cust)),
    )
    i_type = rng.choice(5, size=len(i_cust), p=_INTERACTION_WEIGHTS)

    extra = [
        _designed_interactions(rng, cust, cal, staff, c, designs[c], int(offset[c]))
        for c in sorted(designs)
    ]
    parts = [np.stack([i_cust, i_day, i_contact, i_emp, i_type]), *extra]
    allx = np.concatenate(parts, axis=1)
    allx = allx[:, np.lexsort((allx[2], allx[0], allx[1]))]
    relations = _Relations(
        contact_cust=contact_cust,
        contact_dept=dept,
        contact_seniority=rng.choice(5, size=len(contact_cust), p=[0.3, 0.25, 0.25, 0.12, 0.08]),
        contact_name=_person_names(rng, len(contact_cust), distinct=False),
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
    cust: _Customers,
    cal: _Calendar,
    staff: _Staff,
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


# --- Surveys, wallet, costs, funnel, market ----------------------------------------------------


def _survey_waves(cal: _Calendar, month: int) -> list[int]:
    first_year, _, _ = _ymd(np.array([cal.crm_start]))
    last_year, _, _ = _ymd(np.array([cal.end]))
    waves = [_day(date(y, month, 10)) for y in range(int(first_year[0]), int(last_year[0]) + 1)]
    return [w for w in waves if cal.crm_start <= w <= cal.end - 25]


def _surveys(
    rng: np.random.Generator,
    cust: _Customers,
    cal: _Calendar,
    shrinkers: Sequence[dict[str, Any]],
    key_accounts: Arr,
) -> dict[str, Arr]:
    """Draw the satisfaction surveys.

    A December CSAT wave answered by 15-50% of active customers (a few on the NPS scale),
    plus June waves for key accounts and the planted shrinkers, whose scores follow their
    recipes (satisfied traitors, unsatisfied decoys).
    """
    december, june = _survey_waves(cal, 12), _survey_waves(cal, 6)
    size_rank = np.argsort(np.argsort(cust.size)) / max(cust.n - 1, 1)
    mood = rng.normal(3.9 + 1.5 * cust.trend, 0.6)
    nps_scale = rng.random(cust.n) < 0.06
    special = np.zeros(cust.n, dtype=bool)
    special[[s["customer"] for s in shrinkers]] = True
    rows: list[Arr] = []
    for wave in december:
        active = (
            (cust.active_from <= wave)
            & (cust.last_day >= wave)
            & ~special
            & (cust.role != ROLE_SAMPLE_ONLY)
        )
        who = np.flatnonzero(active & (rng.random(cust.n) < 0.15 + 0.35 * size_rank))
        csat = np.clip(np.rint(mood[who] + rng.normal(0, 0.5, len(who))), 1, 5)
        nps = np.clip(np.rint(2 * mood[who] + rng.normal(0, 1.0, len(who))), 0, 10)
        rows.append(
            np.stack(
                [
                    who,
                    wave + rng.integers(0, 20, len(who)),
                    np.where(nps_scale[who], nps, csat),
                    nps_scale[who],
                ]
            )
        )
    for wave in june:
        who = np.asarray(key_accounts)
        rows.append(
            np.stack(
                [
                    who,
                    wave + rng.integers(0, 20, len(who)),
                    rng.choice([4, 5], size=len(who)),
                    np.zeros(len(who)),
                ]
            )
        )
    planned: list[list[float]] = []
    waves = sorted(december + june)
    for s in shrinkers:
        recipe: _Recipe = s["recipe"]
        last = len(waves) - 1
        for j, wave in enumerate(waves):  # satisfied in the early waves, then the recipe
            score = (
                recipe.latest
                if j == last
                else recipe.earlier
                if j == last - 1
                else (9 if recipe.nps else 4)
            )
            planned.append(
                [s["customer"], wave + int(rng.integers(0, 15)), score, 1 if recipe.nps else 0]
            )
    rows.append(np.array(planned, dtype=float).T.reshape(4, -1))
    table = np.concatenate(rows, axis=1)
    table = table[:, np.lexsort((table[0], table[1]))]
    has_comment = rng.random(table.shape[1]) < 0.3
    comment = np.where(has_comment, rng.integers(0, len(_SURVEY_COMMENTS), table.shape[1]), -1)
    return {
        "cust": table[0].astype(np.int64),
        "day": table[1].astype(np.int64),
        "score": table[2].astype(np.int64),
        "nps": table[3].astype(bool),
        "comment": comment,
    }


def _wallet(
    rng: np.random.Generator,
    cust: _Customers,
    facts: _Facts,
    cal: _Calendar,
    shrinkers: Sequence[dict[str, Any]],
    special: Arr,
    end: date,
) -> dict[str, Arr]:
    """Estimate the category spend (wallet) per customer and year.

    The year is that of each twelve-month window's end. Planted shrinkers get exact wallet
    shares from their recipes; the other covered accounts keep a steady share (±2%), so only
    the planted wallet losers lose share.
    """
    size_rank = np.argsort(np.argsort(cust.size)) / max(cust.n - 1, 1)
    covered = np.zeros(cust.n, dtype=bool)
    covered[special] = True
    covered |= (cust.role == ROLE_BACKGROUND) & (size_rank >= 0.5) & (rng.random(cust.n) < 0.6)
    share = rng.uniform(0.2, 0.6, (cust.n, 1)) * rng.uniform(0.98, 1.02, (cust.n, len(cal.windows)))
    for s in shrinkers:
        prior, asof = s["recipe"].wallet
        share[s["customer"]] = prior
        share[s["customer"], 0] = asof
    spend = np.where(facts.revenue > 0, facts.revenue / 100 / share, 0.0)
    who, window = np.nonzero(covered[:, None] & (spend > 0))
    order = np.lexsort((-window, who))
    who, window = who[order], window[order]
    return {
        "cust": who,
        "year": end.year - window,
        "spend_wan": np.round(spend[who, window] / 1e4, 2),
    }


def _costs(
    rng: np.random.Generator,
    cust: _Customers,
    ledger: _Ledger,
    cal: _Calendar,
    black_holes: Sequence[int],
) -> dict[str, Arr]:
    """Draw the monthly costs.

    Pooled cost-to-serve in proportion to revenue, half-yearly pooled rebates, pooled
    acquisition spend per new customer with a CAC rising ~18% a year (CAC inflation,
    METRICS §4), and the black holes' dedicated service team and custom R&D.
    """
    m0, m1 = int(_month_index(np.array([cal.start]))[0]), int(_month_index(np.array([cal.end]))[0])
    months = np.arange(m0, m1 + 1)
    com = ledger.deal == COMMERCIAL
    month_of = _month_index(ledger.day[com]) - m0
    revenue = np.bincount(month_of, ledger.amount[com] / 100, minlength=len(months))
    parts: list[tuple[Arr, Arr, Arr, Arr]] = []

    def add(month: Arr, category: int, customer: Arr | int, amount: Arr) -> None:
        month = np.asarray(month)
        parts.append(
            (
                month,
                np.full(len(month), category),
                np.broadcast_to(np.asarray(customer), month.shape),
                np.asarray(amount),
            )
        )

    for category, rate in _POOLED_COST_RATES.items():
        add(months, category, -1, revenue * rate * rng.uniform(0.85, 1.15, len(months)))
    _, month_no, _ = _ymd(_month_start(months))
    half = np.flatnonzero(np.isin(month_no, (6, 12)))
    window6 = np.convolve(revenue, np.ones(6))[: len(months)]
    add(months[half], REBATE, -1, 0.01 * window6[half])

    quarter = months // 3
    new = ~cust.legacy
    new_quarter = _month_index(cust.first_day[new]) // 3
    q_all = np.unique(quarter)
    in_range = (new_quarter >= q_all[0]) & (new_quarter <= q_all[-1])
    new_count = np.bincount(new_quarter[in_range] - q_all[0], minlength=len(q_all))
    years_in = (_month_start(q_all * 3) - cal.start) / 365.25
    cac = 38000 * 1.18 ** np.maximum(years_in, 0) * rng.uniform(0.92, 1.08, len(q_all))
    spend = np.maximum(new_count, 1) * cac
    weight = np.array([0.30, 0.33, 0.37])[months % 3] * rng.uniform(0.9, 1.1, len(months))
    q_weight = np.bincount(np.searchsorted(q_all, quarter), weight)
    add(
        months,
        ACQUISITION,
        -1,
        spend[np.searchsorted(q_all, quarter)] * weight / q_weight[np.searchsorted(q_all, quarter)],
    )
    for c in black_holes:
        mine = com & (ledger.cust == c)
        level = ledger.amount[mine].sum() / 100 / len(months)
        add(months, SERVICE_TEAM, c, 0.07 * level * rng.uniform(0.85, 1.15, len(months)))
        add(months, CUSTOM_RND, c, 0.05 * level * rng.uniform(0.7, 1.3, len(months)))
    rows = [np.concatenate([p[i] for p in parts]) for i in range(4)]
    order = np.lexsort((rows[2], rows[1], rows[0]))
    return {
        "month": rows[0][order],
        "category": rows[1][order],
        "cust": rows[2][order].astype(np.int64),
        "yuan": np.rint(rows[3][order]).astype(np.int64),
        "as_date": rng.random(len(order)) < 0.3,
    }


def _opportunities(
    rng: np.random.Generator, cust: _Customers, facts: _Facts, cal: _Calendar
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
    lost_reason = np.where(won == 0, rng.integers(0, len(_LOST_REASONS), len(customer)), -1)
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


def _targets(
    rng: np.random.Generator, cust: _Customers, facts: _Facts, codes: Arr
) -> dict[str, Arr]:
    """Draw the target-account list per industry (METRICS §10 coverage milestones).

    Won targets are existing customers of the industry; the rest are prospects with statuses
    spread by how far we have got in each industry.
    """
    names, _ = _company_names(
        rng, codes, np.repeat(np.arange(len(INDUSTRIES)), [ind.targets for ind in INDUSTRIES])
    )
    out: dict[str, list[Any]] = {"industry": [], "name": [], "cust": [], "status": []}
    used = 0
    for ind in INDUSTRIES:  # one iteration per industry
        if not ind.targets:
            continue
        pool = np.flatnonzero((cust.industry_label == ind.name) & facts.any_commercial)
        won = min(round(ind.targets * ind.coverage[3]), len(pool))
        chosen = np.sort(rng.choice(pool, size=won, replace=False))
        rest = ind.targets - won
        p = np.array(ind.coverage[:3]) / sum(ind.coverage[:3])
        status = np.sort(rng.choice(3, size=rest, p=p))
        out["industry"] += [ind.name] * ind.targets
        out["name"] += [*cust.name[chosen], *names[used : used + rest]]
        out["cust"] += [*chosen, *[-1] * rest]
        out["status"] += [3] * won + [int(s) for s in status]
        used += ind.targets
    return {
        k: np.array(v, dtype=object if k in ("industry", "name") else np.int64)
        for k, v in out.items()
    }


# --- Truth ----------------------------------------------------------------------------------


def _share(x: float) -> float:
    return round(float(x), 6)


@dataclass(frozen=True)
class _Margins:
    """TTM profitability per customer (METRICS §3) and for the company."""

    revenue: Arr
    gross_margin: Arr
    true_margin: Arr
    positive: Arr
    company_gross_margin: float
    company_true_margin: float


def _true_margins(ledger: _Ledger, costs: dict[str, Arr], cal: _Calendar, n: int) -> _Margins:
    """Compute the TTM contribution per customer as METRICS §3 defines it.

    Defaults: pooled costs allocated by revenue share, 6% capital rate.
    """
    lo, hi = cal.ttm
    sel = (ledger.deal == COMMERCIAL) & (ledger.day >= lo) & (ledger.day <= hi)
    c = ledger.cust[sel]
    revenue = np.bincount(c, ledger.amount[sel], minlength=n) / 100
    cogs = np.bincount(c, ledger.cost[sel], minlength=n) / 100
    rebates = np.bincount(c, ledger.rebate[sel], minlength=n) / 100
    paid = ledger.inv_paid[ledger.invoice[sel]]
    days = np.where(paid >= 0, paid - ledger.day[sel], ledger.inv_terms[ledger.invoice[sel]])
    financing = np.bincount(c, ledger.amount[sel] / 100 * days / 365 * CAPITAL_RATE, minlength=n)
    month_first = _month_start(costs["month"])
    in_ttm = (month_first >= lo) & (month_first <= hi)
    serve = in_ttm & np.isin(
        costs["category"], (SERVICE_TEAM, CUSTOM_RND, SUPPORT, RETENTION, OTHER)
    )
    tagged = serve & (costs["cust"] >= 0)
    cost_to_serve = np.bincount(costs["cust"][tagged], costs["yuan"][tagged], minlength=n)
    positive = revenue > 0
    weight = np.where(positive, revenue, 0) / revenue[positive].sum()
    cost_to_serve = cost_to_serve + weight * costs["yuan"][serve & (costs["cust"] < 0)].sum()
    pooled_rebate = in_ttm & (costs["category"] == REBATE) & (costs["cust"] < 0)
    rebates = rebates + weight * costs["yuan"][pooled_rebate].sum()
    contribution = revenue - cogs - rebates - cost_to_serve - financing
    with np.errstate(divide="ignore", invalid="ignore"):
        true_margin = np.where(positive, contribution / revenue, np.nan)
        gross_margin = np.where(positive, (revenue - cogs) / revenue, np.nan)
    total = revenue[positive].sum()
    return _Margins(
        revenue,
        gross_margin,
        true_margin,
        positive,
        float((revenue - cogs)[positive].sum() / total),
        float(contribution[positive].sum() / total),
    )


def _shrink_signals(
    cust: _Customers, facts: _Facts, wallet: dict[str, Arr], surveys: dict[str, Arr], end: date
) -> dict[str, Arr]:
    """Silent-traitor signals for every customer with the METRICS §7 default thresholds."""
    n = cust.n
    r1, r0 = facts.revenue[:, 0] / 100, facts.revenue[:, 1] / 100
    o1, o0 = facts.orders[:, 0], facts.orders[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        revenue_change = np.where(r0 > 0, r1 / r0 - 1, np.nan)
        orders_change = np.where(o0 > 0, o1 / o0 - 1, np.nan)
        prior_share = facts.line_revenue[:, 1, :] / 100 / r0[:, None]
    dropped = (r0[:, None] > 0) & (prior_share >= 0.10) & (facts.line_revenue[:, 0, :] <= 0)
    spend = {}
    for year in (end.year, end.year - 1):
        w = np.full(n, np.nan)
        sel = wallet["year"] == year
        w[wallet["cust"][sel]] = wallet["spend_wan"][sel] * 1e4
        spend[year] = w
    with np.errstate(divide="ignore", invalid="ignore"):
        share_change = r1 / spend[end.year] - r0 / spend[end.year - 1]
    last = np.full(n, -1)
    order = np.lexsort((surveys["day"], surveys["cust"]))
    cust_sorted = surveys["cust"][order]
    is_last = np.r_[cust_sorted[1:] != cust_sorted[:-1], True]
    last[cust_sorted[is_last]] = order[is_last]
    has_survey = last >= 0
    score = np.where(has_survey, surveys["score"][last], -1)
    nps = np.where(has_survey, surveys["nps"][last], False)
    satisfied = has_survey & np.where(nps, score >= 9, score >= 4)
    signals = {  # keys as _SIGNALS
        "revenue": np.nan_to_num(revenue_change, nan=0.0) <= -0.15,
        "orders": np.nan_to_num(orders_change, nan=0.0) <= -0.30,
        "product_line": dropped.any(axis=1),
        "wallet": np.nan_to_num(share_change, nan=0.0) <= -0.05,
    }
    shrinking = np.zeros(n, dtype=bool)
    for fired in signals.values():
        shrinking |= fired
    return {
        "revenue_change": revenue_change,
        "orders_change": orders_change,
        "dropped": dropped,
        "prior_share": prior_share,
        "share_change": share_change,
        "satisfied": satisfied,
        "score": score,
        "nps": nps,
        "last": last,
        "shrinking": shrinking & (r0 > 0),
        **{f"signal_{k}": v for k, v in signals.items()},
    }


_SIGNALS = ("revenue", "orders", "product_line", "wallet")


def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 6)


@dataclass(frozen=True)
class _Company:
    """Everything generated, as arrays: what the files are written from."""

    seed: int
    end: date
    cal: _Calendar
    staff: _Staff
    cust: _Customers
    ledger: _Ledger
    facts: _Facts
    units: _Units
    subs: dict[str, Arr]
    relations: _Relations
    surveys: dict[str, Arr]
    wallet: dict[str, Arr]
    costs: dict[str, Arr]
    opps: dict[str, Arr]
    targets: dict[str, Arr]


_DEFINITIONS = {
    "windows": "TTM = (as_of - 12 calendar months, as_of]; prior = the 12 months before; "
    "revenue = commercial invoice amounts, credit notes included",
    "shares": "over customers with positive TTM revenue; rolled up by parent_id",
    "true_margin": "METRICS §3 with defaults: pooled service_team/custom_rnd/support/retention/"
    "other and pooled rebates allocated by TTM revenue share, financing at 6%/year on paid - "
    "date days (else payment_days), per customer (not rolled up)",
    "silent_traitor": "latest survey up to as_of satisfied (CSAT >= 4 or NPS >= 9) and one of: "
    "TTM revenue <= -15% vs prior, commercial invoices with a positive amount <= -30%, a "
    "product line >= 10% of prior-TTM revenue with none in the TTM, wallet share (TTM revenue "
    "/ category spend of the as-of year vs prior TTM / spend of the year before) down >= 5 "
    "points",
    "relationships": "active contact = an interaction in (as_of - 180 days, as_of]; "
    "transactional only = active departments all in 采购部/财务部; key-person risk = one "
    "employee > 80% of the interactions in the TTM, or exactly one active contact",
    "wallet_years": "wallet year Y estimates the twelve months ending on the as-of day and "
    "month of year Y",
    "detected": "keys named detected list every customer meeting the definition, planted or not",
}


def _truth(co: _Company, planted: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
    """What was planted, with the figures recomputed from the generated data."""
    cal, ledger, cust = co.cal, co.ledger, co.cust
    traitors, decoys = _truth_shrinkers(co, planted["shrinkers"])
    return {
        "meta": {
            "seed": co.seed,
            "customers": cust.n,
            "start": _iso(cal.start),
            "end": _iso(cal.end),
            "as_of": _iso(ledger.day[ledger.deal == COMMERCIAL].max()),
            "ttm": [_iso(cal.ttm[0]), _iso(cal.ttm[1])],
            "prior_ttm": [_iso(cal.prior[0]), _iso(cal.prior[1])],
            "currency": "CNY",
            "invoice_lines": len(ledger),
            "invoices": len(ledger.inv_day),
        },
        "files": files,
        "top_customer": _truth_top_customer(co, planted["group"]),
        "black_holes": _truth_black_holes(co, planted["black_holes"]),
        "silent_traitors": traitors,
        "traitor_decoys": decoys,
        **_truth_pre_sales(co, planted["sample_only"], planted["poc_converted"]),
        "key_accounts_with_units": _truth_units(co),
        **_truth_relationships(co, planted["relations"]),
        "catch_all_industry": {**_catch_all_truth(cust), **_product_patterns(cust, co.facts)},
        "background": _background_truth(co),
        "definitions": _DEFINITIONS,
    }


def _truth_top_customer(co: _Company, group: dict[str, Any]) -> dict[str, Any]:
    cust, cid = co.cust, co.cust.id
    rev = co.facts.revenue[:, 0] / 100
    positive = rev > 0
    total = rev[positive].sum()
    members = group["members"]
    account = np.where(cust.parent >= 0, cust.parent, np.arange(cust.n))
    account_rev = np.bincount(account, np.where(positive, rev, 0), minlength=cust.n)
    top_single = int(np.argmax(rev))
    return {
        "group_parent": cid(group["parent"]),
        "group_members": [cid(m) for m in members],
        "member_shares": {cid(m): _share(rev[m] / total) for m in members},
        "top1_share_rolled_up": _share(account_rev[group["parent"]] / total),
        "top1_account_rolled_up": cid(int(np.argmax(account_rev))),
        "largest_member": cid(members[int(np.argmax(rev[members]))]),
        "largest_member_share": _share(rev[members].max() / total),
        "top1_customer_unrolled": cid(top_single),
        "top1_share_unrolled": _share(rev[top_single] / total),
        "ttm_revenue_total": round(float(total), 2),
    }


def _truth_black_holes(co: _Company, holes: Sequence[int]) -> dict[str, Any]:
    n, cid = co.cust.n, co.cust.id
    tm = _true_margins(co.ledger, co.costs, co.cal, n)
    ranked = np.argsort(-np.where(tm.positive, tm.revenue, -np.inf), kind="stable")
    decile = math.ceil(0.1 * int(tm.positive.sum()))
    top_decile = np.zeros(n, dtype=bool)
    top_decile[ranked[:decile]] = True
    detected = top_decile & ((tm.true_margin < 0.5 * tm.company_true_margin) | (tm.true_margin < 0))
    paid_days = _mean_days_to_pay(co.ledger, n)
    rank_of = np.empty(n, dtype=np.int64)
    rank_of[ranked] = np.arange(1, n + 1)
    total = tm.revenue[tm.positive].sum()
    return {
        "customers": [cid(c) for c in holes],
        "details": {
            cid(c): {
                "revenue_rank": int(rank_of[c]),
                "ttm_revenue": round(float(tm.revenue[c]), 2),
                "share": _share(tm.revenue[c] / total),
                "gross_margin": _num(tm.gross_margin[c]),
                "true_margin": _num(tm.true_margin[c]),
                "mean_days_to_pay": _num(paid_days[c]),
                "tagged_cost_to_serve_ttm": int(_tagged(co.costs, co.cal, c)),
            }
            for c in holes
        },
        "company_gross_margin": _num(tm.company_gross_margin),
        "company_true_margin": _num(tm.company_true_margin),
        "top_decile_size": decile,
        "detected": [cid(c) for c in np.flatnonzero(detected)],
    }


def _truth_shrinkers(
    co: _Company, shrinkers: Sequence[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The silent traitors and their decoys, with every signal recomputed."""
    cid, surveys = co.cust.id, co.surveys
    sig = _shrink_signals(co.cust, co.facts, co.wallet, surveys, co.end)

    def detail(c: int) -> dict[str, Any]:
        last = int(sig["last"][c])
        dropped = [PRODUCT_LINES[p] for p in np.flatnonzero(sig["dropped"][c])]
        return {
            "signals": [k for k in _SIGNALS if sig[f"signal_{k}"][c]],
            "revenue_change": _num(sig["revenue_change"][c]),
            "orders_change": _num(sig["orders_change"][c]),
            "dropped_lines": dropped,
            "dropped_prior_share": _num(float(sig["prior_share"][c][sig["dropped"][c]].sum()))
            if dropped
            else None,
            "wallet_share_change": _num(sig["share_change"][c]),
            "latest_survey": {
                "date": _iso(surveys["day"][last]),
                "score": int(surveys["score"][last]),
                "scale": "nps10" if surveys["nps"][last] else "csat5",
            }
            if last >= 0
            else None,
        }

    traitors = [s for s in shrinkers if s["recipe"].group == "silent_traitor"]
    decoys = [s for s in shrinkers if s["recipe"].group != "silent_traitor"]
    satisfied_prior = sig["satisfied"] & (co.facts.revenue[:, 1] > 0)
    silent_traitors = {
        "customers": [cid(s["customer"]) for s in traitors],
        "planted_signals": {cid(s["customer"]): list(s["recipe"].signals) for s in traitors},
        "details": {cid(s["customer"]): detail(s["customer"]) for s in traitors},
        "detected": [cid(c) for c in np.flatnonzero(sig["satisfied"] & sig["shrinking"])],
        "satisfied_shrinking_share": _num(
            (satisfied_prior & sig["shrinking"]).sum() / max(int(satisfied_prior.sum()), 1)
        ),
    }
    traitor_decoys: dict[str, Any] = {}
    for s in decoys:
        traitor_decoys.setdefault(s["recipe"].group, []).append(cid(s["customer"]))
    traitor_decoys["details"] = {cid(s["customer"]): detail(s["customer"]) for s in decoys}
    return silent_traitors, traitor_decoys


def _truth_pre_sales(
    co: _Company, sample_only: Sequence[int], poc: dict[int, tuple[int, int]]
) -> dict[str, Any]:
    cid, facts, ledger = co.cust.id, co.facts, co.ledger
    poc_deals = np.unique(ledger.cust[ledger.deal == POC])
    converted = facts.any_commercial[poc_deals]
    return {
        "sample_only": [cid(c) for c in sample_only],
        "sample_only_detected": [cid(c) for c in np.flatnonzero(~facts.any_commercial)],
        "poc_converted": {
            cid(c): {
                "poc_date": _iso(p),
                "conversion_date": _iso(facts.first_commercial[c]),
                "days": int(facts.first_commercial[c] - p),
            }
            for c, (p, _) in poc.items()
        },
        "poc_conversion_rate": _share(converted.mean() if len(poc_deals) else 0.0),
    }


def _truth_units(co: _Company) -> dict[str, Any]:
    units, cid = co.units, co.cust.id
    out: dict[str, Any] = {}
    for c in np.unique(units.cust):  # one iteration per key account
        mine = np.flatnonzero(units.cust == c)
        adopted = units.adopted[mine] >= 0
        potential = units.potential[mine].astype(float)
        out[cid(c)] = {
            "units": [
                {
                    "unit_id": str(units.code[u]),
                    "adopted_date": _iso(units.adopted[u]) if units.adopted[u] >= 0 else None,
                    "potential": int(units.potential[u]),
                }
                for u in mine
            ],
            "total_units": len(mine),
            "adopted_units": int(adopted.sum()),
            "penetration": _share(adopted.mean()),
            "weighted_penetration": _share(potential[adopted].sum() / potential.sum()),
        }
    return out


def _truth_relationships(co: _Company, planted: dict[str, Any]) -> dict[str, Any]:
    cid = co.cust.id
    detected = _relationship_flags(co.relations, co.cal, co.cust.n)
    return {
        "transactional_only": [cid(c) for c in planted["transactional_only"]],
        "key_person_risk": {cid(c): v for c, v in planted["key_person_risk"].items()},
        "well_covered": [cid(c) for c in planted["well_covered"]],
        "relationships_detected": {k: [cid(c) for c in v] for k, v in detected.items()},
    }


def _tagged(costs: dict[str, Arr], cal: _Calendar, c: int) -> float:
    month_first = _month_start(costs["month"])
    sel = (costs["cust"] == c) & (month_first >= cal.ttm[0]) & (month_first <= cal.ttm[1])
    return float(costs["yuan"][sel].sum())


def _mean_days_to_pay(ledger: _Ledger, n: int) -> Arr:
    paid = ledger.inv_paid >= 0
    days = (ledger.inv_paid - ledger.inv_day)[paid]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.bincount(ledger.inv_cust[paid], days, minlength=n) / np.bincount(
            ledger.inv_cust[paid], minlength=n
        )


def _relationship_flags(rel: _Relations, cal: _Calendar, n: int) -> dict[str, Arr]:
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


def _product_patterns(cust: _Customers, facts: _Facts) -> dict[str, Any]:
    """Measure how alike the customers of each industry buy.

    The share whose top product line is the industry's most common top line (low for a
    catch-all label).
    """
    buyers = facts.all_line_revenue.sum(axis=1) > 0
    top = np.argmax(facts.all_line_revenue, axis=1)
    out: dict[str, float] = {}
    for ind in INDUSTRIES:
        sel = buyers & (cust.industry_label == ind.name)
        if sel.sum():
            out[ind.name] = _share(np.bincount(top[sel], minlength=5).max() / sel.sum())
    return {"top_line_agreement": out}


def _background_truth(co: _Company) -> dict[str, Any]:
    cust, facts, costs, opps = co.cust, co.facts, co.costs, co.opps
    first_year, _, _ = _ymd(cust.first_day)
    new = ~cust.legacy
    cohorts = {str(y): int(((first_year == y) & new).sum()) for y in np.unique(first_year[new])}
    active = facts.revenue > 0
    churned = active[:, 1] & ~active[:, 0]
    reactivated = (~active[:, 1]) & active[:, 0] & active[:, 2:].any(axis=1)
    acq = costs["category"] == ACQUISITION
    spend_year, _, _ = _ymd(_month_start(costs["month"][acq]))
    cac = {}
    for y in np.unique(spend_year):
        count = int(((first_year == y) & new).sum())
        if count:
            cac[str(y)] = round(float(costs["yuan"][acq][spend_year == y].sum()) / count, 2)
    closed = opps["won"] >= 0
    label = cust.industry_label[opps["cust"]]
    win_rate = {}
    for name in sorted({str(x) for x in label[closed] if x is not None}):
        sel = closed & (label == name)
        win_rate[name] = _share(opps["won"][sel].mean())
    return {
        "cohorts_by_first_year": cohorts,
        "legacy_customers": int(cust.legacy.sum()),
        "active_ttm": int(active[:, 0].sum()),
        "churned_in_ttm": int(churned.sum()),
        "reactivated_in_ttm": int(reactivated.sum()),
        "customers_with_a_pause": int((cust.gap[:, 0] >= 0).sum()),
        "cac_by_year": cac,
        "win_rate_by_industry": win_rate,
        "win_rate_overall": _share(opps["won"][closed].mean()),
        "subscription_customers": len(np.unique(co.subs["cust"])),
        "credit_notes": int((co.ledger.amount < 0).sum()),
        "projects": len(co.ledger.project_labels),
    }


# --- Files ----------------------------------------------------------------------------------

_CHUNK = 1_000_000


def _write_customers(path: Path, co: _Company) -> int:
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
    out = _Csv(path, headers, "gbk")
    provinces = [p for _, p in _CITIES]
    parent_ids = _null_where(_ids("KH", cust.parent + 1, 6), cust.parent < 0)
    out.write(
        [
            cust.ids,
            pa.array(cust.name, pa.string()),
            parent_ids,
            pa.array(cust.industry_label, pa.string()),
            pa.array(cust.level2, pa.string()),
            pa.array(_pick(provinces, cust.city), pa.string()),
            pa.array(_pick(OWNERSHIP_ZH, cust.ownership), pa.string()),
            pa.array(_pick(SOURCE_ZH, cust.source), pa.string()),
            pa.array(staff.names[cust.owner], pa.string()),
            _date_text(cust.first_day, DATE_CHINESE),
            pa.array(_pick(("否", "是"), cust.lighthouse.astype(np.int64)), pa.string()),
            pa.array(_pick(("否", "是"), cust.strategic.astype(np.int64)), pa.string()),
            pa.array(_pick(("N", "Y"), cust.joint_rnd.astype(np.int64)), pa.string()),
        ]
    )
    out.close()
    return out.rows


def _write_invoices(path: Path, co: _Company) -> int:
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
    out = _Csv(path, headers, "utf-8-sig")
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
        terms = _int_text(ledger.inv_terms[per])
        terms = pc.if_else(
            pa.array(ledger.inv_terms_style[per] == 0),
            pc.binary_join_element_wise(terms, "天", ""),
            terms,
        )
        out.write(
            [
                _pad(np.arange(first + 1, last + 1), 8).take(inv),
                _int_text(ledger.line_no[sl]),
                ids.take(ledger.cust[sl]),
                _date_text(ledger.inv_day[per], ledger.inv_date_style[per]).take(inv),
                _money_text(ledger.amount[sl], ledger.money_style[sl]),
                _money_text(
                    ledger.cost[sl],
                    np.where(ledger.money_style[sl] == MONEY_PLAIN, MONEY_PLAIN, MONEY_GROUPED),
                ),
                _null_where(_money_text(ledger.rebate[sl], MONEY_PLAIN), ledger.rebate[sl] == 0),
                products.take(ledger.product[sl]),
                _null_where(ledger.project_labels.take(np.maximum(project, 0)), project < 0),
                _null_where(unit_codes.take(np.maximum(unit, 0)), unit < 0)
                if len(unit_codes)
                else pa.nulls(hi - lo, pa.string()),
                deals.take(ledger.deal[sl]),
                terms.take(inv),
                _date_text(ledger.inv_due[per]).take(inv),
                _date_text(ledger.inv_paid[per]).take(inv),
            ]
        )
    totals = (
        [pa.array(["合计"])]
        + [pa.nulls(1, pa.string())] * 3
        + [
            _money_text(np.array([ledger.amount.sum()])),
            _money_text(np.array([ledger.cost.sum()])),
            _money_text(np.array([ledger.rebate.sum()]), MONEY_PLAIN),
        ]
        + [pa.nulls(1, pa.string())] * 7
    )
    out.write(totals)
    out.close()
    return out.rows - 1


def _write_costs(path: Path, co: _Company) -> int:
    """费用明细.xlsx: a title row, 期间 as 2024年3月 or an Excel date, 金额 in 万元."""
    costs, cust = co.costs, co.cust
    month_day = _month_start(costs["month"])
    y, m, _ = _ymd(month_day)
    text = pc.binary_join_element_wise(_int_text(y), "年", _int_text(m), "月", "")
    as_date = costs["as_date"]
    customer = _null_where(cust.ids.take(np.maximum(costs["cust"], 0)), costs["cust"] < 0)
    _write_xlsx(
        path,
        "费用明细",
        ("期间", "费用类别", "客户编号", "金额(万元)"),
        [
            [(_XL_TEXT, _null_where(text, as_date)), (_XL_MONTH, np.where(as_date, month_day, -1))],
            [(_XL_TEXT, pa.array(_pick(COST_CATEGORIES_ZH, costs["category"]), pa.string()))],
            [(_XL_TEXT, customer)],
            [(_XL_NUMBER, np.round(costs["yuan"] / 1e4, 4))],
        ],
        title="费用明细表（单位：万元）",
    )
    return len(month_day)


def _write_units(path: Path, co: _Company) -> int:
    """客户单元.xlsx: the key accounts' plants, bases and BUs."""
    units, cust = co.units, co.cust
    _write_xlsx(
        path,
        "客户单元",
        ("客户编号", "工厂编号", "工厂名称", "单元类型", "潜力", "导入日期"),
        [
            [(_XL_TEXT, cust.ids.take(units.cust))],
            [(_XL_TEXT, pa.array(units.code, pa.string()))],
            [(_XL_TEXT, pa.array(units.name, pa.string()))],
            [(_XL_TEXT, pa.array(units.unit_type, pa.string()))],
            [(_XL_NUMBER, units.potential.astype(float))],
            [(_XL_DATE, units.adopted)],
        ],
    )
    return len(units.cust)


def _write_contacts(path: Path, co: _Company) -> int:
    """联系人.xlsx: the relationship map."""
    rel, cust, staff = co.relations, co.cust, co.staff
    n = len(rel.contact_cust)
    _write_xlsx(
        path,
        "联系人",
        ("客户编号", "联系人编号", "姓名", "部门", "职位", "我方负责人"),
        [
            [(_XL_TEXT, cust.ids.take(rel.contact_cust))],
            [(_XL_TEXT, _ids("LX", np.arange(1, n + 1), 7))],
            [(_XL_TEXT, pa.array(rel.contact_name, pa.string()))],
            [(_XL_TEXT, pa.array(_pick(DEPARTMENTS_ZH, rel.contact_dept), pa.string()))],
            [(_XL_TEXT, pa.array(_pick(_SENIORITY_ZH, rel.contact_seniority), pa.string()))],
            [(_XL_TEXT, pa.array(staff.names[rel.contact_owner], pa.string()))],
        ],
    )
    return n


def _write_interactions(path: Path, co: _Company) -> int:
    """拜访记录.csv: UTF-8 without BOM."""
    rel, cust, staff = co.relations, co.cust, co.staff
    out = _Csv(path, ("客户编号", "拜访日期", "联系人编号", "拜访人", "方式"), "utf-8")
    names = pa.array(staff.names, pa.string())
    types = pa.array(INTERACTION_TYPES_ZH, pa.string())
    for lo in range(0, len(rel.inter_cust), _CHUNK):
        sl = slice(lo, lo + _CHUNK)
        out.write(
            [
                cust.ids.take(rel.inter_cust[sl]),
                _date_text(rel.inter_day[sl]),
                _ids("LX", rel.inter_contact[sl] + 1, 7),
                names.take(rel.inter_employee[sl]),
                types.take(rel.inter_type[sl]),
            ]
        )
    out.close()
    return out.rows


def _write_surveys(path: Path, co: _Company) -> int:
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
        [*_pick(("5分制", "NPS"), surveys["nps"].astype(np.int64)), None, None], pa.string()
    )
    comment = pa.array([*_pick(_SURVEY_COMMENTS, surveys["comment"]), None, None], pa.string())
    _write_xlsx(
        path,
        "满意度调查",
        ("客户编号", "调查日期", "满意度", "量表", "意见"),
        [
            [(_XL_TEXT, customer)],
            [(_XL_DATE, np.concatenate([surveys["day"], [-1, -1]]))],
            [(_XL_NUMBER, score)],
            [(_XL_TEXT, scale)],
            [(_XL_TEXT, comment)],
        ],
    )
    return n


def _write_wallet(path: Path, co: _Company) -> int:
    """客户钱包.csv: category spend in 万元."""
    wallet, cust = co.wallet, co.cust
    out = _Csv(path, ("客户编号", "年份", "品类总采购额(万元)"), "utf-8")
    out.write(
        [
            cust.ids.take(wallet["cust"]),
            _int_text(wallet["year"]),
            _decimal_text(wallet["spend_wan"], 2),
        ]
    )
    out.close()
    return out.rows


def _write_opportunities(path: Path, co: _Company) -> int:
    """opportunities.xlsx: the CRM export, English headers, true/false cells."""
    opps, cust = co.opps, co.cust
    n = len(opps["cust"])
    stages = (*_OPEN_STAGES, "closed won", "closed lost")
    _write_xlsx(
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
            [(_XL_TEXT, _ids("OPP", np.arange(1, n + 1), 6))],
            [(_XL_TEXT, cust.ids.take(opps["cust"]))],
            [(_XL_DATE, opps["created"])],
            [(_XL_TEXT, pa.array(_pick(stages, opps["stage"]), pa.string()))],
            [(_XL_DATE, opps["closed"])],
            [(_XL_BOOL, opps["won"])],
            [(_XL_NUMBER, opps["amount"])],
            [(_XL_TEXT, pa.array(cust.industry_label[opps["cust"]], pa.string()))],
            [(_XL_TEXT, pa.array(_pick(_LOST_REASONS, opps["lost_reason"]), pa.string()))],
        ],
    )
    return n


def _write_industries(path: Path, co: _Company) -> int:
    """行业数据.xlsx: market data in 亿元 and percentages as text (12%)."""
    rows = INDUSTRIES
    market = [ind.market for ind in rows]

    def col(i: int) -> Arr:
        return np.array([m[i] if m else np.nan for m in market], dtype=float)

    def percent(values: Arr) -> Any:
        return pa.array(
            [None if np.isnan(v) else f"{round(v * 100)}%" for v in values], pa.string()
        )

    _write_xlsx(
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
            [(_XL_TEXT, pa.array([ind.name for ind in rows], pa.string()))],
            [(_XL_NUMBER, col(0))],
            [(_XL_TEXT, percent(col(1)))],
            [(_XL_NUMBER, col(2))],
            [(_XL_NUMBER, col(3))],
            [(_XL_TEXT, percent(col(4)))],
            [(_XL_NUMBER, np.array([m[5] if m else 2 for m in market], dtype=float))],
            [(_XL_NUMBER, np.array([ind.targets or np.nan for ind in rows], dtype=float))],
        ],
    )
    return len(rows)


def _write_targets(path: Path, co: _Company) -> int:
    """目标客户.csv: GBK."""
    targets, cust = co.targets, co.cust
    out = _Csv(path, ("行业", "客户名称", "客户编号", "状态"), "gbk")
    out.write(
        [
            pa.array(targets["industry"], pa.string()),
            pa.array(targets["name"], pa.string()),
            _null_where(cust.ids.take(np.maximum(targets["cust"], 0)), targets["cust"] < 0),
            pa.array(_pick(TARGET_STATUS_ZH, targets["status"]), pa.string()),
        ]
    )
    out.close()
    return out.rows


def _write_subscriptions(path: Path, co: _Company) -> int:
    """订阅合同.csv: UTF-8 with BOM, mixed Chinese and English headers."""
    subs, cust = co.subs, co.cust
    out = _Csv(path, ("customer_id", "开始日期", "结束日期", "月费", "产品线"), "utf-8-sig")
    out.write(
        [
            cust.ids.take(subs["cust"]),
            _date_text(subs["start"]),
            _date_text(subs["end"]),
            _money_text(np.rint(subs["mrr"] * 100).astype(np.int64)),
            pa.array(PRODUCT_LINES, pa.string()).take(subs["product"]),
        ]
    )
    out.close()
    return out.rows


_WRITERS = (
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


# --- The whole company ----------------------------------------------------------------------


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
    cal = _calendar(end, years)
    staff = _staff(rng, customers)
    codes = rng.choice(_NAME_COMBOS, size=customers + _TARGET_NAMES, replace=False)
    cust = _draw_customers(rng, customers, cal, staff, codes[:customers])
    _plant_catch_all(rng, cust)

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
    segs = _Segments()
    planted: dict[str, Any] = {
        "group": _plant_top_group(rng, cust, cal, segs, group_idx),
        "black_holes": _plant_black_holes(rng, cust, cal, segs, holes)["customers"],
    }
    units = _plant_key_accounts(rng, cust, cal, segs, key_accounts)
    planted["shrinkers"] = _plant_silent_traitors(
        rng, cust, cal, segs, traitors
    ) + _plant_traitor_decoys(rng, cust, cal, segs, decoys)
    planted["sample_only"] = _plant_sample_only(rng, cust, cal, segs, samples)
    planted["poc_converted"] = _plant_poc_conversions(rng, cust, cal, segs, pocs)
    _background_segments(rng, cust, cal, segs)

    lines = _lines_from_segments(rng, segs, cust, cal)
    _apply_units(rng, lines, units)
    subs, sub_lines = _subscriptions(rng, cust, cal)
    lines = _concat_lines([lines, sub_lines, _credit_notes(rng, lines, cust, cal)])
    shares = dict(zip((int(i) for i in group_idx), GROUP_SHARES, strict=True))
    shares |= dict(zip((int(i) for i in holes), BLACK_HOLE_SHARES, strict=True))
    _scale_to_shares(lines, cal, customers, shares)
    ledger = _finalise(rng, lines, cust, cal)
    del lines, sub_lines
    uniq, at = np.unique(ledger.cust, return_index=True)
    first_seen = np.full(customers, -1, dtype=np.int64)
    first_seen[uniq] = ledger.day[at]
    cust.first_day = np.where(cust.legacy, cust.first_day, first_seen)

    facts = _facts(ledger, cal, customers)
    relations, planted["relations"] = _plant_relationships(
        rng, cust, facts, cal, staff, key_accounts
    )
    surveys = _surveys(rng, cust, cal, planted["shrinkers"], key_accounts)
    special = np.concatenate([group_idx, holes, key_accounts, traitors, decoys])
    wallet = _wallet(rng, cust, facts, cal, planted["shrinkers"], special, end)
    costs = _costs(rng, cust, ledger, cal, planted["black_holes"])
    opps = _opportunities(rng, cust, facts, cal)
    targets = _targets(rng, cust, facts, codes[customers:])

    co = _Company(
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
    for name, table, write in _WRITERS:
        path = out_dir / name
        files[name] = {"table": table, "rows": write(path, co)}
        paths.append(path)
    truth = _truth(co, planted, files)
    text = json.dumps(truth, ensure_ascii=False, indent=1) + "\n"
    truth_path = out_dir / TRUTH_FILE
    truth_path.write_text(text, encoding="utf-8")
    return DemoFiles(tuple(paths), truth_path, json.loads(text))
