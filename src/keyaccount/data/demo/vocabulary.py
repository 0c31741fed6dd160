"""The company's catalogue and vocabulary: product lines, deal types, departments, labels.

Each tuple is spelled as the exports write it; the integer constants beside it index into it.
"""

from __future__ import annotations

import numpy as np

PRODUCT_LINES = ("传感器", "控制器", "工业软件", "维保服务", "定制方案")
SENSORS, CONTROLLERS, SOFTWARE, MAINTENANCE, CUSTOM = range(5)
GROSS_MARGIN = np.array([0.34, 0.30, 0.62, 0.48, 0.26])
LINE_PRICE = np.array([1.0, 1.4, 1.8, 0.7, 2.6])  # relative value of a line within an invoice

DEAL_LABELS = ("正式", "样品", "POC", "试用", "免费")
COMMERCIAL, SAMPLE, POC, PILOT, FREE = range(5)

DEPARTMENTS_ZH = ("采购部", "财务部", "研发部", "生产部", "信息部", "总经办")
PROCUREMENT, FINANCE, RND, PRODUCTION, IT, EXECUTIVE = range(6)
DEPARTMENT_WEIGHTS = np.array([0.40, 0.14, 0.16, 0.16, 0.05, 0.09])
SENIORITY_ZH = ("工程师", "主管", "经理", "总监", "副总经理")
OWNERSHIP_ZH = ("民企", "国企", "外企", "上市", "政府")
PRIVATE, SOE, FOREIGN, LISTED, GOVERNMENT = range(5)
SOURCE_ZH = ("转介绍", "渠道", "官网", "陌拜")
COST_CATEGORIES_ZH = ("获客成本", "服务团队", "定制研发", "技术支持", "客户维护", "返利", "其他")
ACQUISITION, SERVICE_TEAM, CUSTOM_RND, SUPPORT, RETENTION, REBATE, OTHER = range(7)
POOLED_COST_RATES = {
    SERVICE_TEAM: 0.025,
    SUPPORT: 0.015,
    RETENTION: 0.010,
    OTHER: 0.008,
    CUSTOM_RND: 0.005,
}
INTERACTION_TYPES_ZH = ("拜访", "电话", "会议", "技术交流", "投诉")
INTERACTION_WEIGHTS = np.array([0.40, 0.35, 0.10, 0.10, 0.05])
TARGET_STATUS_ZH = ("未接触", "已接触", "跟进中", "已成交")
UNIT_TYPES_ZH = ("工厂", "基地", "事业部")
SURVEY_COMMENTS = (
    "交付及时",
    "技术支持响应快",
    "价格偏高",
    "希望加强培训",
    "产品稳定可靠",
    "售后服务满意",
    "希望缩短交期",
)
LOST_REASONS = ("价格偏高", "选择竞品", "项目取消", "预算不足", "技术方案不匹配")
OPEN_STAGES = ("qualification", "proposal", "negotiation")
