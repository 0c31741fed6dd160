"""The industries of the customer base: their market data and how we sell into each.

Also the taxonomy's planted flaws (METRICS §10): the catch-all label, a near-duplicate
spelling and customers with no industry (see ``planted.catch_all``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Industry:
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
    Industry(
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
    Industry(
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
    Industry(
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
    Industry(
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
    Industry(
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
    Industry(
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
    Industry(
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
    Industry(
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
    # The catch-all label: a quarter of the customers, buying anything (see plant_catch_all).
    Industry(
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
GENERIC_WORDS = ("科技", "实业", "工业")
GENERIC_MIX = (2.0, 2.0, 1.0, 1.0, 1.0)
