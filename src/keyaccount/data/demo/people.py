"""Chinese personal names, and our own people: account managers and application engineers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keyaccount.data.demo.arrays import Arr
from keyaccount.data.demo.text import concat, pick_labels

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建国斌宇浩凯健俊帆晨欣怡婷雪琳峰"
)


def person_names(rng: np.random.Generator, k: int, *, distinct: bool) -> Arr:
    """Chinese personal names: a surname and one or two given characters."""
    s, g = len(_SURNAMES), len(_GIVEN)
    combos = s * (g + g * g)
    codes = rng.choice(combos, size=k, replace=False) if distinct else rng.integers(0, combos, k)
    surname, rest = np.divmod(codes, g + g * g)
    one = rest < g
    first = np.where(one, rest, (rest - g) // g)
    second = np.where(one, -1, (rest - g) % g)
    given2 = pick_labels(list(_GIVEN), second)
    given2[one] = ""
    return concat(pick_labels(list(_SURNAMES), surname), pick_labels(list(_GIVEN), first), given2)


@dataclass(frozen=True)
class Staff:
    """Our people: account managers first, then application engineers."""

    names: Arr
    sales: int


def draw_staff(rng: np.random.Generator, n_customers: int) -> Staff:
    """Draw our people: an account manager per 40 customers, an engineer per 120."""
    sales = max(12, n_customers // 40)
    engineers = max(6, n_customers // 120)
    return Staff(person_names(rng, sales + engineers, distinct=True), sales)
