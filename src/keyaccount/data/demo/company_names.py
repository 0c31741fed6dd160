"""Cities and company names (苏州瑞恒精密机械有限公司), unique per customer and target."""

from __future__ import annotations

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.industries import GENERIC_WORDS, INDUSTRIES
from keyaccount.data.demo.text import concat, pick_labels

CITIES = (
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
BRAND_CHARS = (
    "华瑞恒鑫宏泰盛达博精通航联创远利源德信安康凯隆昌兴丰明辉新力天正佳永嘉和威科美中金亚汇"
)
_FORMS = ("有限公司", "股份有限公司", "有限责任公司")
_BRANDS = len(BRAND_CHARS) * (len(BRAND_CHARS) - 1)
NAME_COMBOS = len(CITIES) * _BRANDS * len(_FORMS)
TARGET_NAMES = sum(ind.targets for ind in INDUSTRIES)


def company_names(rng: np.random.Generator, codes: Arr, industry: Arr) -> tuple[Arr, Arr]:
    """Unique company names (苏州瑞恒精密机械有限公司) from name codes; also the city index."""
    city, rest = np.divmod(codes, _BRANDS * len(_FORMS))
    brand, form = np.divmod(rest, len(_FORMS))
    b1, b2 = np.divmod(brand, len(BRAND_CHARS) - 1)
    b2 = b2 + (b2 >= b1)
    words = [*(ind.words for ind in INDUSTRIES), GENERIC_WORDS]
    row = np.where(industry < 0, len(INDUSTRIES), industry)
    counts = np.array([len(w) for w in words])
    table = np.array([list(w) + [""] * (max(counts) - len(w)) for w in words], dtype=object)
    word = table[row, (rng.random(len(codes)) * counts[row]).astype(np.int64)]
    chars = list(BRAND_CHARS)
    name = concat(
        pick_labels([c for c, _ in CITIES], city),
        pick_labels(chars, b1),
        pick_labels(chars, b2),
        word,
        pick_labels(_FORMS, form),
    )
    return name, city
