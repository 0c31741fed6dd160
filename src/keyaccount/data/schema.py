"""The canonical input tables: names, kinds, keys, aliases and allowed values.

This module is the single place that says what keyaccount accepts. Readers map the headers
they find onto these column names (through the aliases), normalisers turn raw text into the
column's kind, validation checks keys and references, and ``docs/schema.md`` is generated
from it (``python -m keyaccount.data.schema``; a test keeps the page in sync).
See ``../shared/DATA_MODEL.md`` for the origin of each table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """How a column's raw text is read and which DuckDB type stores it."""

    ID = "id"  # an identifier: trimmed text, full-width folded, case kept
    TEXT = "text"  # free text: trimmed, full-width kept (names are written as the user wrote them)
    DATE = "date"  # a calendar day
    MONTH = "month"  # a calendar month, stored as its first day
    YEAR = "year"  # a calendar year
    MONEY = "money"  # an amount of money, exact to 1/10000 of the unit
    NUMBER = "number"  # a measurement or estimate (float)
    INTEGER = "integer"  # a count
    PERCENT = "percent"  # a share, stored as a fraction (25% -> 0.25)
    FLAG = "flag"  # yes / no
    CATEGORY = "category"  # one of a fixed set of values (see Column.values)


SQL_TYPES: dict[Kind, str] = {
    Kind.ID: "VARCHAR",
    Kind.TEXT: "VARCHAR",
    Kind.DATE: "DATE",
    Kind.MONTH: "DATE",
    Kind.YEAR: "INTEGER",
    Kind.MONEY: "DECIMAL(18,4)",
    Kind.NUMBER: "DOUBLE",
    Kind.INTEGER: "BIGINT",
    Kind.PERCENT: "DOUBLE",
    Kind.FLAG: "BOOLEAN",
    Kind.CATEGORY: "VARCHAR",
}


@dataclass(frozen=True)
class Column:
    """One canonical column.

    ``aliases`` are header spellings (Chinese and English) that map to this column; matching
    ignores case, spaces, underscores, hyphens and a trailing unit such as ``(万元)``.
    ``values`` maps each allowed canonical value to its accepted spellings; ``open_values``
    keeps an unrecognised value (lower-cased) instead of rejecting the row.
    """

    name: str
    kind: Kind
    description: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    open_values: bool = False
    default: str | None = None
    references: str | None = None  # "table.column" that a non-empty value must exist in

    @property
    def sql_type(self) -> str:
        """The DuckDB type that stores this column."""
        return SQL_TYPES[self.kind]


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns, primary key and the file names that suggest it."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    file_aliases: tuple[str, ...] = ()
    zh_name: str = ""

    def column(self, name: str) -> Column:
        """The column called ``name``; KeyError if the table has none."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        """Canonical column names in declaration order."""
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the columns every import of this table must carry."""
        return tuple(c.name for c in self.columns if c.required)


CUSTOMER_REF = "customers.customer_id"
DEAL_TYPES: dict[str, tuple[str, ...]] = {
    "commercial": ("commercial", "sale", "sales", "正式", "商业", "销售", "正常", "合同", "订单"),
    "sample": ("sample", "samples", "样品", "样机", "送样"),
    "poc": ("poc", "proof of concept", "概念验证", "验证"),
    "pilot": ("pilot", "trial", "试点", "试用", "小批量试产"),
    "free": ("free", "gift", "免费", "赠送", "赠品"),
}
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "procurement": (
        "procurement",
        "purchasing",
        "purchase",
        "sourcing",
        "采购",
        "采购部",
        "供应链",
    ),
    "finance": ("finance", "accounting", "财务", "财务部", "会计"),
    "rd": ("rd", "r&d", "research", "engineering", "研发", "研发部", "技术部", "技术", "工程"),
    "production": (
        "production",
        "operations",
        "ops",
        "manufacturing",
        "生产",
        "生产部",
        "运营",
        "制造",
        "工厂",
        "生产运营",
    ),
    "it": ("it", "information technology", "信息部", "信息化", "it部", "信息中心", "数字化"),
    "executive": (
        "executive",
        "management",
        "strategy",
        "board",
        "ceo",
        "高管",
        "总经办",
        "管理层",
        "战略",
        "董事会",
        "总裁办",
    ),
}


def _c(name: str, kind: Kind, description: str, *aliases: str, **kw: object) -> Column:
    return Column(name, kind, description, aliases=aliases, **kw)  # type: ignore[arg-type]


CUSTOMER_ID_ALIASES = (
    "客户编号",
    "客户ID",
    "客户id",
    "客户代码",
    "客户编码",
    "customer",
    "customer no",
    "customer number",
    "account id",
    "account_id",
    "client id",
)


def _customer_id(required: bool = True) -> Column:
    """The customer_id column of a table that refers to customers."""
    return _c(
        "customer_id",
        Kind.ID,
        "The customer account the row belongs to.",
        *CUSTOMER_ID_ALIASES,
        required=required,
        references=CUSTOMER_REF,
    )


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "customers",
            "One row per customer account; parent_id links a plant or subsidiary to its group.",
            zh_name="客户",
            primary_key=("customer_id",),
            file_aliases=(
                "customers",
                "customer",
                "clients",
                "accounts",
                "客户",
                "客户档案",
                "客户清单",
                "客户主数据",
                "客户列表",
            ),
            columns=(
                _c(
                    "customer_id",
                    Kind.ID,
                    "Unique customer key.",
                    *CUSTOMER_ID_ALIASES,
                    required=True,
                ),
                _c(
                    "name",
                    Kind.TEXT,
                    "Customer name.",
                    "客户名称",
                    "客户名",
                    "名称",
                    "公司名称",
                    "customer name",
                    "account name",
                    "client name",
                ),
                _c(
                    "parent_id",
                    Kind.ID,
                    "The group this account belongs to (its customer_id, or a group code).",
                    "上级客户",
                    "集团编号",
                    "母公司编号",
                    "集团客户编号",
                    "所属集团",
                    "parent",
                    "group id",
                    "parent customer",
                ),
                _c(
                    "industry",
                    Kind.TEXT,
                    "Industry (level 1).",
                    "行业",
                    "所属行业",
                    "行业分类",
                    "一级行业",
                    "sector",
                ),
                _c(
                    "industry_l2",
                    Kind.TEXT,
                    "Industry (level 2).",
                    "二级行业",
                    "细分行业",
                    "子行业",
                    "industry level 2",
                    "sub industry",
                    "subindustry",
                ),
                _c(
                    "region",
                    Kind.TEXT,
                    "Region, province or sales area.",
                    "地区",
                    "省份",
                    "区域",
                    "大区",
                    "所在地区",
                    "province",
                    "area",
                    "territory",
                ),
                _c("country", Kind.TEXT, "Country.", "国家", "国别"),
                _c(
                    "ownership",
                    Kind.CATEGORY,
                    "Ownership type.",
                    "企业性质",
                    "所有制",
                    "性质",
                    "ownership type",
                    values={
                        "soe": (
                            "soe",
                            "state owned",
                            "state-owned",
                            "国企",
                            "国有",
                            "央企",
                            "国有企业",
                        ),
                        "private": ("private", "民企", "民营", "私营", "民营企业"),
                        "foreign": ("foreign", "外企", "外资", "合资", "外资企业"),
                        "government": ("government", "政府", "事业单位", "机关", "gov"),
                        "listed": ("listed", "上市", "上市公司", "public"),
                    },
                ),
                _c("size_band", Kind.TEXT, "Company size band.", "规模", "企业规模", "size"),
                _c(
                    "source",
                    Kind.CATEGORY,
                    "How the customer was won.",
                    "来源",
                    "客户来源",
                    "获客渠道",
                    "lead source",
                    values={
                        "referral": ("referral", "转介绍", "介绍", "推荐", "老客户推荐"),
                        "partner": ("partner", "channel", "渠道", "合作伙伴", "代理"),
                        "inbound": ("inbound", "市场", "官网", "展会", "自然流量", "来电"),
                        "outbound": ("outbound", "陌拜", "电销", "地推", "主动开发"),
                    },
                ),
                _c(
                    "owner",
                    Kind.TEXT,
                    "Our account manager.",
                    "客户经理",
                    "销售",
                    "负责人",
                    "销售负责人",
                    "account manager",
                    "sales rep",
                    "owner name",
                ),
                _c(
                    "first_date",
                    Kind.DATE,
                    "Date the customer relationship began.",
                    "首次合作日期",
                    "合作开始日期",
                    "建档日期",
                    "签约日期",
                    "first date",
                    "since",
                    "customer since",
                    "start date",
                ),
                _c(
                    "is_lighthouse",
                    Kind.FLAG,
                    "A lighthouse / benchmark customer.",
                    "标杆客户",
                    "是否标杆",
                    "灯塔客户",
                    "lighthouse",
                    "benchmark",
                ),
                _c(
                    "is_strategic_partner",
                    Kind.FLAG,
                    "A strategic partnership is signed.",
                    "战略合作",
                    "是否战略合作",
                    "战略伙伴",
                    "strategic partner",
                ),
                _c(
                    "is_channel",
                    Kind.FLAG,
                    "The customer is also a channel / platform.",
                    "渠道客户",
                    "是否渠道",
                    "平台客户",
                    "channel",
                ),
                _c(
                    "joint_rnd",
                    Kind.FLAG,
                    "Joint R&D / co-innovation with us.",
                    "联合研发",
                    "是否联合研发",
                    "共创",
                    "joint r&d",
                    "co innovation",
                ),
            ),
        ),
        Table(
            "invoices",
            "One row per invoice or invoice line, net of tax; credit notes are negative.",
            zh_name="发票",
            primary_key=("invoice_id", "line_id"),
            file_aliases=(
                "invoices",
                "invoice",
                "sales",
                "orders",
                "revenue",
                "发票",
                "开票",
                "开票明细",
                "销售明细",
                "销售",
                "订单",
                "收入明细",
                "销售流水",
            ),
            columns=(
                _c(
                    "invoice_id",
                    Kind.ID,
                    "Invoice (or order) number.",
                    "发票号",
                    "发票号码",
                    "发票编号",
                    "单据编号",
                    "订单号",
                    "单号",
                    "invoice no",
                    "invoice number",
                    "order id",
                    "document no",
                    required=True,
                ),
                _c(
                    "line_id",
                    Kind.ID,
                    "Line within the invoice; when absent, lines are numbered in file order.",
                    "行号",
                    "明细行号",
                    "line",
                    "line no",
                    "line number",
                ),
                _customer_id(),
                _c(
                    "date",
                    Kind.DATE,
                    "Invoice date.",
                    "开票日期",
                    "日期",
                    "单据日期",
                    "发票日期",
                    "订单日期",
                    "invoice date",
                    "order date",
                    "doc date",
                    required=True,
                ),
                _c(
                    "amount",
                    Kind.MONEY,
                    "Amount net of tax (negative for credit notes).",
                    "金额",
                    "不含税金额",
                    "含税金额",
                    "销售额",
                    "收入",
                    "净额",
                    "开票金额",
                    "net amount",
                    "revenue",
                    "sales amount",
                    "value",
                    required=True,
                ),
                _c(
                    "cost",
                    Kind.MONEY,
                    "Cost of goods sold for the line.",
                    "成本",
                    "销售成本",
                    "营业成本",
                    "cogs",
                    "cost of sales",
                ),
                _c(
                    "rebate",
                    Kind.MONEY,
                    "Rebate or discount granted on the line.",
                    "返利",
                    "折让",
                    "返点",
                    "折扣",
                    "discount",
                ),
                _c(
                    "product_line",
                    Kind.TEXT,
                    "Product line.",
                    "产品线",
                    "产品类别",
                    "产品系列",
                    "product",
                    "product category",
                    "category",
                ),
                _c(
                    "project_id",
                    Kind.ID,
                    "Project the line belongs to.",
                    "项目编号",
                    "项目ID",
                    "项目号",
                    "项目",
                    "project",
                    "project no",
                ),
                _c(
                    "unit_id",
                    Kind.ID,
                    "The customer's unit (plant, BU, site) served.",
                    "工厂编号",
                    "单位编号",
                    "事业部编号",
                    "site id",
                    "plant id",
                    "unit",
                ),
                _c(
                    "deal_type",
                    Kind.CATEGORY,
                    "Kind of deal; only commercial counts as revenue.",
                    "交易类型",
                    "订单类型",
                    "业务类型",
                    "类型",
                    "deal type",
                    "order type",
                    values=DEAL_TYPES,
                    default="commercial",
                ),
                _c(
                    "currency",
                    Kind.TEXT,
                    "Currency code of the amounts.",
                    "币种",
                    "货币",
                    "币别",
                    "ccy",
                ),
                _c(
                    "due_date",
                    Kind.DATE,
                    "Payment due date.",
                    "到期日",
                    "应收到期日",
                    "付款到期日",
                    "due",
                ),
                _c(
                    "payment_days",
                    Kind.INTEGER,
                    "Agreed payment terms in days.",
                    "账期",
                    "账期天数",
                    "付款天数",
                    "payment terms",
                    "terms days",
                ),
                _c(
                    "paid_date",
                    Kind.DATE,
                    "Date the invoice was paid.",
                    "回款日期",
                    "收款日期",
                    "到账日期",
                    "paid",
                    "payment date",
                    "paid on",
                ),
            ),
        ),
        Table(
            "subscriptions",
            "Contractual recurring revenue.",
            zh_name="订阅",
            primary_key=("customer_id", "product_line", "start"),
            file_aliases=("subscriptions", "subscription", "contracts", "订阅", "合同", "订阅合同"),
            columns=(
                _customer_id(),
                _c(
                    "start",
                    Kind.DATE,
                    "Subscription start.",
                    "开始日期",
                    "起始日期",
                    "生效日期",
                    "start date",
                    required=True,
                ),
                _c(
                    "end",
                    Kind.DATE,
                    "Subscription end (empty while running).",
                    "结束日期",
                    "到期日期",
                    "终止日期",
                    "end date",
                ),
                _c(
                    "mrr",
                    Kind.MONEY,
                    "Monthly recurring revenue.",
                    "月经常性收入",
                    "月费",
                    "月收入",
                    "monthly fee",
                    required=True,
                ),
                _c("product_line", Kind.TEXT, "Product line.", "产品线", "产品"),
                _c("currency", Kind.TEXT, "Currency code.", "币种", "货币"),
            ),
        ),
        Table(
            "costs",
            "Costs by month and category; no customer_id means pooled.",
            zh_name="成本费用",
            file_aliases=("costs", "expenses", "成本", "费用", "费用明细", "成本费用"),
            columns=(
                _c(
                    "period",
                    Kind.MONTH,
                    "Month the cost belongs to.",
                    "期间",
                    "月份",
                    "会计期间",
                    "month",
                    required=True,
                ),
                _c(
                    "category",
                    Kind.CATEGORY,
                    "Cost category.",
                    "费用类别",
                    "类别",
                    "费用类型",
                    "cost type",
                    required=True,
                    values={
                        "acquisition": (
                            "acquisition",
                            "获客",
                            "市场费用",
                            "销售费用",
                            "获客成本",
                            "marketing",
                        ),
                        "service_team": (
                            "service_team",
                            "service team",
                            "服务团队",
                            "驻场",
                            "客户服务团队",
                        ),
                        "custom_rnd": ("custom_rnd", "custom r&d", "定制研发", "定制开发"),
                        "support": ("support", "技术支持", "售后", "售后服务"),
                        "retention": ("retention", "客户维护", "维护费用", "客情"),
                        "rebate": ("rebate", "返利", "返点", "折让"),
                        "other": ("other", "其他", "其它"),
                    },
                ),
                _c(
                    "amount",
                    Kind.MONEY,
                    "Cost amount.",
                    "金额",
                    "费用金额",
                    "发生额",
                    required=True,
                ),
                _c(
                    "customer_id",
                    Kind.ID,
                    "Customer the cost is tagged to (empty = pooled).",
                    "客户编号",
                    "客户ID",
                    "customer",
                    references=CUSTOMER_REF,
                ),
            ),
        ),
        Table(
            "account_units",
            "The whitespace map of a key account: its plants, BUs, sites.",
            zh_name="客户单元",
            primary_key=("customer_id", "unit_id"),
            file_aliases=(
                "account_units",
                "units",
                "plants",
                "sites",
                "客户单元",
                "工厂",
                "事业部",
                "下属单位",
            ),
            columns=(
                _customer_id(),
                _c(
                    "unit_id",
                    Kind.ID,
                    "Unit key within the account.",
                    "单元编号",
                    "工厂编号",
                    "单位编号",
                    "unit",
                    "plant id",
                    "site id",
                    required=True,
                ),
                _c(
                    "unit_type",
                    Kind.CATEGORY,
                    "Kind of unit.",
                    "单元类型",
                    "类型",
                    "type",
                    values={
                        "plant": ("plant", "factory", "工厂", "厂区", "基地"),
                        "bu": ("bu", "business unit", "事业部", "业务单元"),
                        "site": ("site", "站点", "园区", "门店"),
                        "department": ("department", "dept", "部门"),
                        "city": ("city", "城市", "分公司"),
                    },
                    open_values=True,
                ),
                _c("name", Kind.TEXT, "Unit name.", "单元名称", "工厂名称", "名称"),
                _c(
                    "potential",
                    Kind.NUMBER,
                    "Potential size of the unit (weight).",
                    "潜力",
                    "潜在规模",
                    "潜在需求",
                    "weight",
                ),
                _c(
                    "adopted_date",
                    Kind.DATE,
                    "Date the unit adopted our product.",
                    "导入日期",
                    "采用日期",
                    "上线日期",
                    "adopted",
                    "adoption date",
                ),
            ),
        ),
        Table(
            "contacts",
            "The relationship map: people at the customer.",
            zh_name="联系人",
            primary_key=("contact_id",),
            file_aliases=("contacts", "people", "联系人", "客户联系人"),
            columns=(
                _customer_id(),
                _c(
                    "contact_id",
                    Kind.ID,
                    "Contact key.",
                    "联系人编号",
                    "联系人ID",
                    "contact",
                    required=True,
                ),
                _c(
                    "department",
                    Kind.CATEGORY,
                    "The contact's department.",
                    "部门",
                    "所在部门",
                    "dept",
                    values=DEPARTMENTS,
                    open_values=True,
                ),
                _c(
                    "seniority",
                    Kind.TEXT,
                    "Seniority or title level.",
                    "职级",
                    "级别",
                    "职位",
                    "title",
                    "level",
                ),
                _c("name", Kind.TEXT, "Contact name.", "姓名", "联系人", "联系人姓名"),
                _c(
                    "our_owner",
                    Kind.TEXT,
                    "Our employee who owns the relationship.",
                    "我方负责人",
                    "对接人",
                    "维护人",
                    "owner",
                ),
            ),
        ),
        Table(
            "interactions",
            "Visits, meetings, calls and other touches.",
            zh_name="互动记录",
            file_aliases=(
                "interactions",
                "activities",
                "visits",
                "互动",
                "拜访记录",
                "跟进记录",
                "互动记录",
            ),
            columns=(
                _customer_id(),
                _c(
                    "date",
                    Kind.DATE,
                    "Date of the interaction.",
                    "日期",
                    "拜访日期",
                    "跟进日期",
                    "activity date",
                    required=True,
                ),
                _c("contact_id", Kind.ID, "Contact met.", "联系人编号", "联系人ID", "contact"),
                _c(
                    "employee",
                    Kind.TEXT,
                    "Our employee.",
                    "员工",
                    "我方人员",
                    "拜访人",
                    "跟进人",
                    "rep",
                ),
                _c(
                    "type",
                    Kind.CATEGORY,
                    "Kind of interaction.",
                    "方式",
                    "类型",
                    "跟进方式",
                    "activity type",
                    values={
                        "visit": ("visit", "拜访", "上门", "现场"),
                        "meeting": ("meeting", "会议", "开会"),
                        "call": ("call", "电话", "phone"),
                        "email": ("email", "邮件", "mail"),
                        "tech_exchange": ("tech_exchange", "tech exchange", "技术交流", "培训"),
                        "complaint": ("complaint", "投诉", "客诉"),
                    },
                    open_values=True,
                ),
            ),
        ),
        Table(
            "surveys",
            "Satisfaction answers (CSAT 1-5 or NPS 0-10).",
            zh_name="满意度调查",
            file_aliases=("surveys", "survey", "nps", "csat", "满意度", "满意度调查", "客户调研"),
            columns=(
                _customer_id(),
                _c(
                    "date",
                    Kind.DATE,
                    "Date of the answer.",
                    "日期",
                    "调查日期",
                    "回复日期",
                    "survey date",
                    required=True,
                ),
                _c(
                    "score",
                    Kind.NUMBER,
                    "The score given.",
                    "满意度",
                    "评分",
                    "得分",
                    "分数",
                    "rating",
                    required=True,
                ),
                _c(
                    "scale",
                    Kind.CATEGORY,
                    "Scale of the score.",
                    "量表",
                    "评分类型",
                    values={
                        "csat5": ("csat5", "csat", "5", "五分制", "5分制"),
                        "nps10": ("nps10", "nps", "10", "十分制", "10分制"),
                    },
                    default="csat5",
                ),
                _c("comment", Kind.TEXT, "Free comment.", "意见", "评论", "备注", "remarks"),
            ),
        ),
        Table(
            "wallet",
            "The customer's estimated total spend on our category per year.",
            zh_name="客户钱包",
            primary_key=("customer_id", "year"),
            file_aliases=("wallet", "share_of_wallet", "钱包", "采购预算", "客户钱包"),
            columns=(
                _customer_id(),
                _c(
                    "year",
                    Kind.YEAR,
                    "Calendar year.",
                    "年份",
                    "年度",
                    "fiscal year",
                    required=True,
                ),
                _c(
                    "category_spend",
                    Kind.MONEY,
                    "Total spend on the category that year.",
                    "品类总采购额",
                    "品类采购额",
                    "采购总额",
                    "总采购额",
                    "category spend",
                    "wallet",
                    required=True,
                ),
            ),
        ),
        Table(
            "opportunities",
            "The sales funnel.",
            zh_name="商机",
            primary_key=("opportunity_id",),
            file_aliases=(
                "opportunities",
                "opportunity",
                "pipeline",
                "deals",
                "商机",
                "销售机会",
                "商机列表",
            ),
            columns=(
                _c(
                    "opportunity_id",
                    Kind.ID,
                    "Opportunity key.",
                    "商机编号",
                    "商机ID",
                    "机会编号",
                    "opportunity",
                    "deal id",
                    required=True,
                ),
                _customer_id(),
                _c(
                    "created",
                    Kind.DATE,
                    "Date created.",
                    "创建日期",
                    "创建时间",
                    "created date",
                    required=True,
                ),
                _c(
                    "stage",
                    Kind.TEXT,
                    "Funnel stage.",
                    "阶段",
                    "销售阶段",
                    "商机阶段",
                    required=True,
                ),
                _c("closed", Kind.DATE, "Date closed.", "关闭日期", "结束日期", "close date"),
                _c(
                    "won",
                    Kind.FLAG,
                    "Won (yes) or lost (no).",
                    "是否赢单",
                    "赢单",
                    "成交",
                    "is won",
                ),
                _c(
                    "amount",
                    Kind.MONEY,
                    "Expected or won amount.",
                    "金额",
                    "商机金额",
                    "预计金额",
                    "deal amount",
                ),
                _c("industry", Kind.TEXT, "Industry of the deal.", "行业"),
                _c(
                    "lost_reason",
                    Kind.TEXT,
                    "Why it was lost.",
                    "输单原因",
                    "丢单原因",
                    "loss reason",
                ),
            ),
        ),
        Table(
            "industries",
            "Market data per industry for the traffic-light model.",
            zh_name="行业",
            primary_key=("industry",),
            file_aliases=("industries", "industry", "markets", "行业", "行业数据", "市场数据"),
            columns=(
                _c(
                    "industry",
                    Kind.TEXT,
                    "Industry name (as in customers.industry).",
                    "行业",
                    "行业名称",
                    "sector",
                    required=True,
                ),
                _c("market_size", Kind.MONEY, "Market size.", "市场规模", "市场容量"),
                _c(
                    "market_growth",
                    Kind.PERCENT,
                    "Market growth per year.",
                    "市场增速",
                    "增长率",
                    "市场增长率",
                    "growth",
                ),
                _c(
                    "investment_events",
                    Kind.INTEGER,
                    "Investment events in the last year.",
                    "投融资事件数",
                    "投资事件",
                    "融资事件数",
                    "deals count",
                ),
                _c(
                    "investment_amount",
                    Kind.MONEY,
                    "Invested amount in the last year.",
                    "投融资金额",
                    "融资金额",
                    "投资金额",
                ),
                _c(
                    "top20_share",
                    Kind.PERCENT,
                    "Market share of the top 20 players.",
                    "前20集中度",
                    "top20集中度",
                    "cr20",
                    "top 20 share",
                ),
                _c(
                    "fit_score",
                    Kind.NUMBER,
                    "Our fit with the industry, 0-10.",
                    "匹配度",
                    "契合度",
                    "fit",
                ),
                _c(
                    "target_accounts",
                    Kind.INTEGER,
                    "Number of target accounts.",
                    "目标客户数",
                    "目标账户数",
                    "targets",
                ),
            ),
        ),
        Table(
            "targets",
            "The target-account list behind coverage milestones.",
            zh_name="目标客户",
            primary_key=("industry", "account_name"),
            file_aliases=("targets", "target_accounts", "目标客户", "目标名单", "目标客户清单"),
            columns=(
                _c("industry", Kind.TEXT, "Industry.", "行业", required=True),
                _c(
                    "account_name",
                    Kind.TEXT,
                    "Target account name.",
                    "客户名称",
                    "目标客户",
                    "公司名称",
                    "account",
                    "company",
                    required=True,
                ),
                _c(
                    "customer_id",
                    Kind.ID,
                    "Our customer_id once it is a customer.",
                    "客户编号",
                    "客户ID",
                    references=CUSTOMER_REF,
                ),
                _c(
                    "status",
                    Kind.CATEGORY,
                    "Coverage status.",
                    "状态",
                    "跟进状态",
                    values={
                        "untouched": ("untouched", "未接触", "未开发"),
                        "contacted": ("contacted", "已接触", "已联系"),
                        "funnel": ("funnel", "in funnel", "商机中", "跟进中", "漏斗中"),
                        "won": ("won", "已成交", "成交", "已签约"),
                    },
                    default="untouched",
                ),
            ),
        ),
        Table(
            "fx",
            "Exchange rates to the reporting currency, per month.",
            zh_name="汇率",
            primary_key=("currency", "month"),
            file_aliases=("fx", "rates", "exchange_rates", "汇率", "汇率表"),
            columns=(
                _c("currency", Kind.TEXT, "Currency code.", "币种", "货币", required=True),
                _c(
                    "month", Kind.MONTH, "Month the rate applies to.", "月份", "期间", required=True
                ),
                _c(
                    "rate",
                    Kind.NUMBER,
                    "Units of reporting currency per unit of currency.",
                    "汇率",
                    "折算汇率",
                    required=True,
                ),
            ),
        ),
    )
}

# Columns outside the table definition that customers accept: manual dimension scores.
MANUAL_SCORE_PREFIX = "score_"


def table(name: str) -> Table:
    """The canonical table called ``name``; ValueError with the known names otherwise."""
    try:
        return TABLES[name]
    except KeyError:
        raise ValueError(f"unknown table {name!r}; known tables: {', '.join(TABLES)}") from None


def reference_markdown() -> str:
    """The generated reference page ``docs/schema.md``."""
    lines = [
        "# Input tables (generated)",
        "",
        "Generated from `src/keyaccount/data/schema.py` by `python -m keyaccount.data.schema`;"
        " a test fails when this page is out of date. Only `customers` and `invoices` are"
        " required; every other table switches more analyses on.",
        "",
        "Kinds: " + ", ".join(f"`{k.value}` ({SQL_TYPES[k]})" for k in Kind) + ".",
        "",
    ]
    for t in TABLES.values():
        lines += [f"## {t.name} ({t.zh_name})", "", t.description, ""]
        if t.primary_key:
            lines.append(f"Primary key: {', '.join(f'`{k}`' for k in t.primary_key)}.")
        else:
            lines.append("No primary key: rows are facts that may repeat.")
        lines.append(f"File names that suggest it: {', '.join(t.file_aliases)}.")
        lines += [
            "",
            "| column | kind | required | meaning | header aliases | values |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for c in t.columns:
            values = "; ".join(f"`{k}` ({', '.join(v)})" for k, v in c.values.items())
            if c.values and c.open_values:
                values += "; other values kept"
            if c.default:
                values += f"; default `{c.default}`"
            if c.references:
                values += f"; must exist in `{c.references}`"
            lines.append(
                f"| `{c.name}` | {c.kind.value} | {'yes' if c.required else ''} | "
                f"{c.description} | {', '.join(c.aliases)} | {values} |"
            )
        if t.name == "customers":
            lines += [
                "",
                f"Columns named `{MANUAL_SCORE_PREFIX}<dimension>` (numbers 0-100) are "
                "kept as manual key-account dimension scores.",
            ]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sys.stdout.write(reference_markdown())
