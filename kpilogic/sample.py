"""The sample: a realistic workbook of a fictional Dutch bike shop and the scorecard that reads it.

"Fietsenmakerij De Ketting" sells bikes, e-bikes, parts and accessories and repairs bikes,
in its shop in Utrecht and through a web shop. ``sample_frames`` invents its data from
2024-01-01 to 2026-11-20 (the last month deliberately partial) with the patterns real data
has: a spring/summer peak for bikes, December for accessories, a web channel growing ~17% a
year beside a flat shop, weekday rhythms, repeat customers and noise. ``sample_scorecard``
is the plan the owners made for 2026; its targets were set so that, as of 2026-11-20, some
KPIs are on track, some at risk and some off track. ``write_sample`` writes both to disk
byte for byte reproducibly, so the files in ``sample_data/`` can be checked against the code.

Everything is drawn from ``numpy.random.default_rng(seed)`` (split into one stream per part
of the story): the same seed gives the same frames.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from kpilogic.scorecard import model

SAMPLE_WORKBOOK = "koers_sample.xlsx"
SAMPLE_SCORECARD = "koers_sample_scorecard.json"
SAMPLE_SCORECARD_NL = "koers_sample_scorecard_nl.json"
DEFAULT_SEED = 2026

FIRST_DAY = date(2024, 1, 1)
LAST_DAY = date(2026, 11, 20)  # a Friday: November 2026 is the partial period
# Monthly sheets hold closed months only: October 2026 is the last one reported.
LAST_MONTH = date(2026, 10, 1)

SHEETS: tuple[str, ...] = ("Orders", "Marketing", "Survey", "Deliveries", "Targets")

# A fixed timestamp for the workbook's properties and zip entries: reproducible bytes.
_FIXED_TIME = datetime(2026, 11, 21, 8, 0, 0)

CATEGORIES: tuple[str, ...] = ("Bikes", "E-bikes", "Parts", "Accessories", "Service")
REGIONS: tuple[str, ...] = (
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Gelderland",
    "Noord-Brabant",
)
CHANNELS: tuple[str, ...] = ("Web", "Shop")

# -- how the business behaves ----------------------------------------------------------------
# Orders per day before seasonality and weekday effects, in January 2024.
_WEB_BASE = 4.6
_SHOP_BASE = 7.4
_WEB_GROWTH = 1.17  # per year: the web shop is where the growth is
_SHOP_GROWTH = 1.00  # the shop holds its own
_PRICE_GROWTH = 1.03  # per year: list prices follow inflation

# Index 0 = January. People buy bikes when the sun shines, accessories as presents.
_SEASON = np.array([0.72, 0.76, 0.98, 1.18, 1.28, 1.24, 1.12, 1.02, 0.98, 0.88, 0.86, 1.10])
# Index 0 = Monday. The shop opens at 13:00 on Monday and is closed on Sunday.
_WEB_DOW = np.array([1.15, 1.05, 1.00, 0.98, 0.90, 0.80, 1.12])
_SHOP_DOW = np.array([0.60, 0.90, 1.00, 1.00, 1.20, 1.60, 0.00])
# (month, day) the shop is closed: New Year, King's Day, Christmas.
_HOLIDAYS = ((1, 1), (4, 27), (12, 25), (12, 26))

# Category mix of an order line per month (before normalising), per channel.
_BIKE_SEASON = np.array([0.45, 0.55, 0.95, 1.55, 1.80, 1.75, 1.50, 1.20, 0.95, 0.70, 0.55, 0.60])
_GIFT_SEASON = np.array([0.85, 0.85, 0.95, 1.00, 1.00, 1.00, 1.00, 1.00, 0.95, 1.00, 1.25, 2.10])
_SERVICE_SEASON = np.array([0.70, 0.85, 1.45, 1.55, 1.35, 1.10, 0.95, 0.90, 1.05, 1.05, 0.85, 0.70])
# E-bikes are sold only after a test ride in the shop; the workshop is in the shop too.
_MIX_BASE = {
    "Web": np.array([0.015, 0.00, 0.40, 0.585, 0.00]),
    "Shop": np.array([0.07, 0.05, 0.24, 0.30, 0.34]),
}
_LINES_P = np.array([0.55, 0.30, 0.15])  # an order has 1, 2 or 3 lines

# Price per line (EUR excl. VAT): median and spread of a lognormal; cost as a share of it.
_PRICE_MEDIAN = np.array([690.0, 2450.0, 27.0, 34.0, 62.0])
_PRICE_SIGMA = np.array([0.28, 0.18, 0.75, 0.65, 0.50])
_COST_SHARE = np.array([0.63, 0.73, 0.47, 0.44, 0.26])
_WEB_COST_EXTRA = 0.035  # free shipping and payment fees land in the web shop's cost

# Where customers live: the shop draws from Utrecht, the web shop from the Randstad and beyond.
_REGION_P = {
    "Web": np.array([0.28, 0.21, 0.23, 0.16, 0.12]),
    "Shop": np.array([0.84, 0.03, 0.03, 0.08, 0.02]),
}
_RETURNING = 0.27  # share of orders from a customer who bought before

_SURVEY_RESPONSE = 0.36  # share of orders answering the survey (receipt e-mail, QR at the till)


# -- the data --------------------------------------------------------------------------------
def sample_frames(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """The sample data: sheet name → rows, in the order of ``SHEETS``.

    Deterministic: the same ``seed`` gives equal frames. Dates are ``datetime64`` columns,
    money is rounded to cents, counts and flags are integers.
    """
    # One independent stream per part of the story: retuning one part leaves the rest as is.
    streams = np.random.default_rng(seed).spawn(6)
    web, shop, people, marketing_rng, survey_rng, delivery_rng = streams
    orders = _orders(web, shop, people)
    marketing = _marketing(marketing_rng, orders)
    survey = _survey(survey_rng, orders)
    deliveries = _deliveries(delivery_rng, orders)
    return {
        "Orders": orders,
        "Marketing": marketing,
        "Survey": survey,
        "Deliveries": deliveries,
        "Targets": _targets(),
    }


def _years_since_start(days: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray((days - pd.Timestamp(FIRST_DAY)).days, dtype=float) / 365.25


def _orders(
    web: np.random.Generator, shop: np.random.Generator, people: np.random.Generator
) -> pd.DataFrame:
    """Order lines: one row per line, orders of 1–3 lines, sorted by date and order id.

    Each channel draws from its own generator, so tuning one leaves the other unchanged.
    """
    days = pd.date_range(FIRST_DAY, LAST_DAY, freq="D")
    years = _years_since_start(days)
    month = days.month.to_numpy() - 1
    dow = days.day_of_week.to_numpy()
    holiday = np.zeros(len(days), dtype=bool)
    for m, d in _HOLIDAYS:
        holiday |= (days.month == m) & (days.day == d)
    lam_web = _WEB_BASE * _WEB_GROWTH**years * _SEASON[month] * _WEB_DOW[dow]
    lam_shop = _SHOP_BASE * _SHOP_GROWTH**years * _SEASON[month] * _SHOP_DOW[dow] * ~holiday
    lines = pd.concat(
        [
            _channel_lines(web, 0, lam_web, month, years),
            _channel_lines(shop, 1, lam_shop, month, years),
        ],
        ignore_index=True,
    )
    # Interleave the channels' orders within a day by their (random) time of day.
    lines = lines.sort_values(["day", "time", "channel", "order", "line"], kind="stable")
    key = lines["channel"].to_numpy() * 10_000_000 + lines["order"].to_numpy()
    first_line = lines["line"].to_numpy() == 0
    order_key = key[first_line]
    order_dates = days[lines["day"].to_numpy()[first_line]]
    channel = lines["channel"].to_numpy()[first_line]

    # Order ids count per year: K-2026-000001 is the first order of 2026.
    order_years = order_dates.year.to_numpy()
    seq = pd.Series(order_years).groupby(order_years).cumcount().to_numpy() + 1
    order_ids = np.array([f"K-{y}-{s:06d}" for y, s in zip(order_years, seq, strict=True)])
    customer, region = _customers(people, channel)
    position = pd.Series(np.arange(len(order_key)), index=order_key).loc[key].to_numpy()

    return pd.DataFrame(
        {
            "Date": days[lines["day"].to_numpy()],
            "Order ID": order_ids[position],
            "Customer ID": customer[position],
            "Channel": np.array(CHANNELS)[lines["channel"].to_numpy()],
            "Region": np.array(REGIONS)[region[position]],
            "Category": np.array(CATEGORIES)[lines["category"].to_numpy()],
            "Revenue": lines["revenue"].to_numpy(),
            "Cost": lines["cost"].to_numpy(),
        }
    )


def _channel_lines(
    rng: np.random.Generator, channel: int, lam: np.ndarray, month: np.ndarray, years: np.ndarray
) -> pd.DataFrame:
    """The order lines of one channel: day, time of day, order number, category and money."""
    per_day = rng.poisson(lam)
    day = np.repeat(np.arange(len(lam)), per_day)
    n_orders = len(day)
    time = rng.random(n_orders)
    n_lines = rng.choice(np.array([1, 2, 3]), p=_LINES_P, size=n_orders)
    order = np.repeat(np.arange(n_orders), n_lines)
    line = np.arange(len(order)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
    line_month = month[day][order]

    # Category mix by month, drawn by inverse CDF.
    season = np.stack(
        [_BIKE_SEASON, _BIKE_SEASON, np.ones(12), _GIFT_SEASON, _SERVICE_SEASON], axis=1
    )
    weights = _MIX_BASE[CHANNELS[channel]][None, :] * season
    cdf = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)[line_month]
    u = rng.random(len(order))
    category = np.minimum((u[:, None] > cdf).sum(axis=1), len(CATEGORIES) - 1)
    # Nobody buys two bikes in one order here: a second bike becomes an accessory.
    is_bike = category <= 1
    bikes_so_far = pd.Series(is_bike.astype(int)).groupby(order).cumsum().to_numpy()
    category = np.where(is_bike & (bikes_so_far > 1), 3, category)

    noise = rng.standard_normal((2, len(order)))
    price = _PRICE_MEDIAN[category] * np.exp(_PRICE_SIGMA[category] * noise[0])
    revenue = np.round(np.maximum(price * _PRICE_GROWTH ** years[day][order], 1.5), 2)
    share = _COST_SHARE[category] + (_WEB_COST_EXTRA if channel == 0 else 0.0)
    share = np.clip(share + 0.035 * noise[1], 0.05, 0.95)
    return pd.DataFrame(
        {
            "day": day[order],
            "time": time[order],
            "channel": channel,
            "order": order,
            "line": line,
            "category": category,
            "revenue": revenue,
            "cost": np.round(revenue * share, 2),
        }
    )


def _customers(rng: np.random.Generator, channel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A customer id per order (some come back) and the region each customer lives in."""
    n = len(channel)
    returning = rng.random(n) < _RETURNING
    pick = rng.random(n)
    new_region = np.where(
        channel == 0,
        _draw(rng, _REGION_P["Web"], n),
        _draw(rng, _REGION_P["Shop"], n),
    )
    regions: list[int] = []
    customer = np.empty(n, dtype=int)
    for i in range(n):
        if returning[i] and regions:
            customer[i] = int(pick[i] * len(regions))
        else:
            customer[i] = len(regions)
            regions.append(int(new_region[i]))
    ids = np.array([f"C-{c + 1:05d}" for c in customer])
    return ids, np.asarray(regions)[customer]


def _draw(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """``n`` indices drawn with probabilities ``p``."""
    return rng.choice(np.arange(len(p)), p=p, size=n)


def _order_level(orders: pd.DataFrame) -> pd.DataFrame:
    """One row per order: its date and channel."""
    return orders.drop_duplicates("Order ID").loc[:, ["Date", "Order ID", "Channel"]]


def _month_starts(last: date) -> pd.DatetimeIndex:
    return pd.date_range(FIRST_DAY, last, freq="MS")


def _marketing(rng: np.random.Generator, orders: pd.DataFrame) -> pd.DataFrame:
    """Monthly web statistics, consistent with the web orders: visits drive them."""
    months = _month_starts(LAST_MONTH)
    per_order = _order_level(orders)
    web = per_order[per_order["Channel"] == "Web"]
    web_orders = (
        web.groupby(web["Date"].dt.to_period("M").dt.to_timestamp()).size().reindex(months)
    ).to_numpy(dtype=float)
    n = len(months)
    years = _years_since_start(months)
    month = months.month.to_numpy() - 1

    # About 1.5% of visits end in an order; the rest browse, compare and come back.
    order_rate = 0.0150 * (1 + 0.02 * years) * np.exp(0.05 * rng.standard_normal(n))
    visits = np.round(web_orders / order_rate).astype(int)
    # A lead is a newsletter sign-up, a test-ride booking or a question through the site.
    # The new site of spring 2025 helped; from mid-2026 the test-ride form was broken on mobile.
    lead_rate = np.full(n, 0.024)
    lead_rate[months >= pd.Timestamp("2025-04-01")] = 0.029
    lead_rate[months >= pd.Timestamp("2026-07-01")] = 0.0255
    leads = np.round(visits * lead_rate * np.exp(0.05 * rng.standard_normal(n))).astype(int)

    ad_season = np.array([0.7, 0.8, 1.2, 1.4, 1.3, 1.1, 0.9, 0.8, 0.9, 0.9, 1.1, 1.4])
    budget = np.round(3200 * 1.12 ** np.floor(years) * ad_season[month], -2)
    # Campaigns are planned to use about 97% of the budget; some months run over.
    spend = budget * (0.97 + 0.03 * rng.standard_normal(n))
    # October 2026: an extra autumn campaign (€600) went live without a budget change.
    spend[months == pd.Timestamp("2026-10-01")] += 600
    spend = np.round(spend, 2)

    subscribers = np.empty(n, dtype=int)
    count = 2140.0
    for i in range(n):
        count = count * (1 - 0.011) + 0.42 * leads[i]
        subscribers[i] = round(count)

    return pd.DataFrame(
        {
            "Month": months,
            "Visits": visits,
            "Leads": leads,
            "Ad spend": spend,
            "Ad spend budget": budget,
            "Newsletter subscribers": subscribers,
        }
    )


def _survey(rng: np.random.Generator, orders: pd.DataFrame) -> pd.DataFrame:
    """Survey answers after an order; satisfaction slips during 2026 (waiting times)."""
    per_order = _order_level(orders)
    answers = per_order[rng.random(len(per_order)) < _SURVEY_RESPONSE]
    n = len(answers)
    web = (answers["Channel"] == "Web").to_numpy()
    # Web customers answer after delivery, shop customers at the till.
    lag = np.where(web, rng.integers(2, 6, n), 0)
    when = answers["Date"].to_numpy() + lag.astype("timedelta64[D]")

    years = _years_since_start(pd.DatetimeIndex(when))
    # The workshop's waiting time grew through 2026 and customers noticed.
    slip = np.clip(years - 2.0, 0, None) * 0.22
    mood = np.where(web, 4.08, 4.30) + 0.04 * np.minimum(years, 2.0) - slip
    satisfaction = np.clip(np.round(mood + 0.72 * rng.standard_normal(n)), 1, 5).astype(int)
    nps = np.clip(np.round(1.6 * satisfaction + 1.9 + rng.standard_normal(n)), 0, 10)
    nps = nps.astype(int)
    frame = pd.DataFrame(
        {
            "Date": pd.DatetimeIndex(when),
            "Channel": answers["Channel"].to_numpy(),
            "NPS": nps,
            "Satisfaction": satisfaction,
            # The formula grammar has no conditions: promoters and detractors are flagged here.
            "Promoter": (nps >= 9).astype(int),
            "Detractor": (nps <= 6).astype(int),
        }
    )
    # Answers still to come after the last day are not in the data yet.
    frame = frame[frame["Date"] <= pd.Timestamp(LAST_DAY)]
    return frame.sort_values("Date", kind="stable").reset_index(drop=True)


def _deliveries(rng: np.random.Generator, orders: pd.DataFrame) -> pd.DataFrame:
    """Delivered web orders, dated on the day of delivery (so no late order is missing)."""
    per_order = _order_level(orders)
    web = per_order[per_order["Channel"] == "Web"]
    n = len(web)
    ordered = pd.DatetimeIndex(web["Date"])
    month = ordered.month.to_numpy()
    weekend = ordered.day_of_week.to_numpy() >= 4  # ordered Friday or Saturday: no Sunday rounds
    mu = np.full(n, 0.30)
    mu += np.where(month == 12, 0.50, 0.0) + np.where(np.isin(month, [4, 5, 6]), 0.15, 0.0)
    # A new carrier from September 2026 turned out slower than promised.
    mu += np.where(ordered >= pd.Timestamp("2026-09-01"), 0.18, 0.0)
    days = 1 + rng.poisson(mu) + weekend.astype(int)
    promised = np.where(weekend, 3, 2)
    delivered = ordered + pd.to_timedelta(days, unit="D")
    frame = pd.DataFrame(
        {
            "Date": delivered,
            "Order ID": web["Order ID"].to_numpy(),
            "Delivery days": days,
            "On time": (days <= promised).astype(int),
        }
    )
    frame = frame[frame["Date"] <= pd.Timestamp(LAST_DAY)]
    return frame.sort_values(["Date", "Order ID"], kind="stable").reset_index(drop=True)


def _targets() -> pd.DataFrame:
    """The monthly revenue plan (the table the revenue KPI's per-period targets come from)."""
    labels = sorted(REVENUE_PLAN)
    return pd.DataFrame(
        {
            "Month": pd.DatetimeIndex([pd.Timestamp(f"{label}-01") for label in labels]),
            "Revenue target": [REVENUE_PLAN[label] for label in labels],
        }
    )


# -- the plan --------------------------------------------------------------------------------
# Revenue plan per month (EUR excl. VAT), as the owners made it each December: last year's
# revenue plus 5% (web +18%, shop +2%), phased by the month shares of the years before and
# rounded to €1,000. The Targets sheet holds it; the revenue KPI's targets are the same.
REVENUE_PLAN: dict[str, float] = {
    "2025-01": 51000, "2025-02": 49000, "2025-03": 66000, "2025-04": 97000,
    "2025-05": 170000, "2025-06": 139000, "2025-07": 102000, "2025-08": 117000,
    "2025-09": 88000, "2025-10": 70000, "2025-11": 52000, "2025-12": 72000,
    "2026-01": 50000, "2026-02": 55000, "2026-03": 71000, "2026-04": 109000,
    "2026-05": 165000, "2026-06": 150000, "2026-07": 122000, "2026-08": 105000,
    "2026-09": 98000, "2026-10": 67000, "2026-11": 58000, "2026-12": 66000,
}  # fmt: skip
# Month shares (%) of a year's gross profit in 2024–2025: spring and summer carry the year.
GROSS_PROFIT_PROFILE: list[float] = [5, 5, 7, 10, 14, 12.5, 10.5, 9, 9, 6.5, 5.5, 6]
# The newsletter plan: 4,400 subscribers in January, 100 more every month, 5,500 by December.
NEWSLETTER_PLAN: dict[str, float] = {f"2026-{m:02d}": 4300 + 100 * m for m in range(1, 13)}

_JOOST = "Joost Bakker (owner)"
_SANNE = "Sanne de Vries (web shop)"
_FATIMA = "Fatima El Amrani (shop manager)"
_DAAN = "Daan Visser (logistics)"
_EVA = "Eva Jansen (marketing)"


def _datasets() -> list[model.Dataset]:
    def sheet(dataset_id: str, name: str, date_column: str = "Date") -> model.Dataset:
        return model.Dataset(
            id=dataset_id, name=name, source=SAMPLE_WORKBOOK, sheet=name, date_column=date_column
        )

    return [
        sheet("orders", "Orders"),
        sheet("marketing", "Marketing", "Month"),
        sheet("survey", "Survey"),
        sheet("deliveries", "Deliveries"),
    ]


def _goals() -> list[model.Goal]:
    end_2026 = date(2026, 12, 31)
    return [
        model.Goal(
            id="web-growth",
            title="Grow web shop revenue 18% in 2026",
            why="Walk-in traffic in Utrecht is flat; the web shop reaches cyclists all over "
            "the Randstad and is where the growth has to come from.",
            owner=_SANNE,
            deadline=end_2026,
            perspective="financial",
        ),
        model.Goal(
            id="profitable-growth",
            title="€1.12M revenue in 2026 at a gross margin of at least 38%",
            why="Growth only helps if it pays for the second mechanic hired in 2026; "
            "discounting bikes to reach a revenue number is not the plan.",
            owner=_JOOST,
            deadline=end_2026,
            perspective="financial",
        ),
        model.Goal(
            id="happy-customers",
            title="Customers recommend us: NPS 40+ and satisfaction 4.2+ all year",
            why="Most new customers come through word of mouth; a happy customer comes back "
            "for every service and for the next bike in the family.",
            owner=_FATIMA,
            deadline=end_2026,
            perspective="customer",
        ),
        model.Goal(
            id="fast-delivery",
            title="Web orders delivered in under 2 days, 92% on time",
            why="Delivery speed is what web customers compare us on with the big online "
            "stores, and late parcels cost phone calls and refunds.",
            owner=_DAAN,
            deadline=end_2026,
            perspective="process",
        ),
        model.Goal(
            id="marketing",
            title="4,000 leads from a €50,000 marketing budget in 2026",
            why="Marketing must bring people who come back (newsletter sign-ups, test rides) "
            "without growing faster than revenue.",
            owner=_EVA,
            deadline=end_2026,
            perspective="customer",
        ),
    ]


def _kpis() -> list[model.KPI]:
    kpi = model.KPI
    m = model.Measure
    tol = model.Tolerance
    web_only = [model.Filter(column="Channel", op="eq", value="Web")]
    return [
        # -- web growth --------------------------------------------------------------------
        kpi(
            id="web-revenue",
            goal_id="web-growth",
            name="Web shop revenue",
            why="The goal itself, month by month, so a slow month shows before the year is lost.",
            dataset_id="orders",
            measure=m(aggregation="sum", column="Revenue"),
            filters=web_only,
            unit="currency",
            direction="higher",
            # The goal's 18% on the same month last year: seasons compare with themselves.
            target=model.Target(kind="growth", growth_pct=18),
            tolerance=tol(value=10),
            cadence="month",
            owner=_SANNE,
            action="Newsletter campaign to lapsed customers and a free-delivery weekend.",
        ),
        kpi(
            id="web-aov",
            goal_id="web-growth",
            name="Web average order value",
            why="Below €70 free shipping and payment fees eat the margin; above €100 the "
            "month leans on bikes sold without a test ride, and returns follow.",
            dataset_id="orders",
            measure=m(formula="sum(Revenue) / count_distinct(Order ID)"),
            filters=web_only,
            unit="currency",
            direction="range",
            # 2024–2025 months ran from about €66 (winter) to €110 (spring).
            target=model.Target(low=70, high=100),
            tolerance=tol(value=10),
            cadence="month",
            owner=_SANNE,
            action="Review the free-shipping threshold and the bundles shown at checkout.",
        ),
        kpi(
            id="newsletter",
            goal_id="web-growth",
            name="Newsletter subscribers",
            why="The newsletter is the cheapest sales channel of the web shop: every mailing "
            "brings orders.",
            dataset_id="marketing",
            measure=m(aggregation="last", column="Newsletter subscribers"),
            unit="count",
            direction="higher",
            # A stock, not a flow: the plan says where the list should stand each month.
            target=model.Target(kind="per_period", per_period=NEWSLETTER_PLAN),
            tolerance=tol(value=5),
            cadence="month",
            owner=_SANNE,
            action="Sign-up incentive (a free check-up) at the till and at checkout.",
        ),
        # -- profitable growth -------------------------------------------------------------
        kpi(
            id="revenue",
            goal_id="profitable-growth",
            name="Revenue (all channels)",
            why="The year's revenue plan, month by month (the Targets sheet).",
            dataset_id="orders",
            measure=m(aggregation="sum", column="Revenue"),
            unit="currency",
            direction="higher",
            target=model.Target(
                kind="per_period",
                per_period={k: v for k, v in REVENUE_PLAN.items() if k.startswith("2026")},
            ),
            tolerance=tol(value=10),
            cadence="month",
            owner=_JOOST,
            action="Discuss in the monthly meeting which channel and category is behind.",
        ),
        kpi(
            id="gross-margin",
            goal_id="profitable-growth",
            name="Gross margin %",
            why="Growth must not come from discounting. The web shop sells parts and "
            "accessories at a higher margin than the shop, where bikes weigh in.",
            dataset_id="orders",
            measure=m(formula="(sum(Revenue) - sum(Cost)) / sum(Revenue) * 100"),
            unit="percent",
            direction="higher",
            # 2025: 39.3% overall, 37.5% shop, 47.5% web; summer months with many bikes dip.
            target=model.Target(value=38, segments={"Shop": 36, "Web": 47}),
            tolerance=tol(kind="absolute", value=1.5),
            cadence="month",
            owner=_JOOST,
            action="Check the discounts given and the supplier prices of the top sellers.",
            segment_column="Channel",
        ),
        kpi(
            id="gross-profit",
            goal_id="profitable-growth",
            name="Gross profit",
            why="What is left to pay the team, the rent and the second mechanic.",
            dataset_id="orders",
            measure=m(formula="sum(Revenue) - sum(Cost)"),
            unit="currency",
            direction="higher",
            # 2025's €417,758 plus 5%, phased by the months' usual share of the year.
            target=model.Target(
                kind="annual", annual={"2026": 439000}, profile=GROSS_PROFIT_PROFILE
            ),
            tolerance=tol(value=5),
            cadence="quarter",
            owner=_JOOST,
            action="Quarterly review with the accountant: costs, prices and the hiring plan.",
        ),
        # -- happy customers ---------------------------------------------------------------
        kpi(
            id="nps",
            goal_id="happy-customers",
            name="Net Promoter Score",
            why="Would our customers recommend us? Promoters (9–10) minus detractors (0–6), "
            "as a share of all answers.",
            dataset_id="survey",
            measure=m(formula="(sum(Promoter) - sum(Detractor)) / count() * 100"),
            unit="number",
            direction="higher",
            # The goal's 40; 2024 and 2025 both came out at about 46.
            target=model.Target(value=40),
            tolerance=tol(kind="absolute", value=5),
            cadence="month",
            owner=_FATIMA,
            action="Call back every detractor within a week; discuss the themes in the team.",
        ),
        kpi(
            id="satisfaction",
            goal_id="happy-customers",
            name="Customer satisfaction (1–5)",
            why="The direct score per order: an early warning before the NPS moves.",
            dataset_id="survey",
            measure=m(aggregation="mean", column="Satisfaction"),
            unit="number",
            direction="higher",
            # The goal's 4.2, what 2024–2025 averaged.
            target=model.Target(value=4.2),
            tolerance=tol(kind="absolute", value=0.1),
            cadence="month",
            owner=_FATIMA,
            action="Read the comments with the team; shorten the workshop's waiting list.",
        ),
        # -- fast delivery -----------------------------------------------------------------
        kpi(
            id="delivery-days",
            goal_id="fast-delivery",
            name="Average delivery time",
            why="Customers compare us with the big web shops on speed.",
            dataset_id="deliveries",
            measure=m(aggregation="mean", column="Delivery days"),
            unit="days",
            direction="lower",
            # 2025 averaged 1.8 days, weekend orders included; the plan is to hold that.
            target=model.Target(value=1.8),
            tolerance=tol(value=10),
            cadence="week",
            owner=_DAAN,
            action="Ask the carrier about the late parcels; pack before 15:00 for same-day pickup.",
        ),
        kpi(
            id="on-time",
            goal_id="fast-delivery",
            name="Delivered on time %",
            why="A promise kept: 2 days, 3 for orders on Friday or Saturday.",
            dataset_id="deliveries",
            measure=m(formula="sum(On time) / count() * 100"),
            unit="percent",
            direction="higher",
            # The goal's 92%; 2025 reached 94% (95.5% without the December peak).
            target=model.Target(value=92),
            tolerance=tol(kind="absolute", value=3),
            cadence="month",
            owner=_DAAN,
            action="Weekly call with the carrier; get a quote from a second carrier.",
        ),
        # -- marketing ---------------------------------------------------------------------
        kpi(
            id="lead-conversion",
            goal_id="marketing",
            name="Lead conversion (leads per 100 visits)",
            why="Visits only help if visitors sign up, book a test ride or ask a question.",
            dataset_id="marketing",
            measure=m(formula="sum(Leads) / sum(Visits) * 100"),
            unit="percent",
            direction="higher",
            # What the new site reached from April 2025 on: about 2.9 leads per 100 visits.
            target=model.Target(value=2.9),
            tolerance=tol(kind="absolute", value=0.2),
            cadence="month",
            owner=_EVA,
            action="Test the sign-up and test-ride forms on mobile; A/B-test the landing page.",
        ),
        kpi(
            id="cost-per-lead",
            goal_id="marketing",
            name="Cost per lead",
            why="Ad spend has to buy interest, not just clicks.",
            dataset_id="marketing",
            measure=m(formula="sum(Ad spend) / sum(Leads)"),
            unit="currency",
            direction="lower",
            # The goal's budget over its leads: €50,000 / 4,000 (2025: €44,700 for 4,132).
            target=model.Target(value=12.5),
            tolerance=tol(value=10),
            cadence="month",
            owner=_EVA,
            action="Pause the campaigns with the highest cost per lead; move budget to search.",
        ),
        kpi(
            id="ad-spend",
            goal_id="marketing",
            name="Ad spend",
            why="Marketing spend stays within the budget agreed per month.",
            dataset_id="marketing",
            measure=m(aggregation="sum", column="Ad spend"),
            unit="currency",
            direction="lower",
            # The monthly budget is a column of the Marketing sheet itself.
            target=model.Target(kind="column", column="Ad spend budget"),
            tolerance=tol(value=5),
            cadence="month",
            owner=_EVA,
            action="Agree an overspend with the owner before the campaign starts, or stop it.",
        ),
    ]


def sample_scorecard(lang: str = "en") -> model.Scorecard:
    """The scorecard "De Ketting 2026" over the sample workbook (see the module docstring),
    with its texts in ``lang`` ("en" or "nl")."""
    card = model.Scorecard(
        name="De Ketting 2026",
        description="Fietsenmakerij De Ketting, Utrecht: shop and web shop for bikes, e-bikes, "
        "parts and accessories, and a repair workshop. The plan for 2026.",
        currency="€",
        datasets=_datasets(),
        goals=_goals(),
        kpis=_kpis(),
    )
    if lang != "nl":
        return card
    return card.model_copy(
        update={
            "description": _dutch(card.description),
            "datasets": [d.model_copy(update={"name": _dutch(d.name)}) for d in card.datasets],
            "goals": [
                g.model_copy(update={f: _dutch(getattr(g, f)) for f in ("title", "why", "owner")})
                for g in card.goals
            ],
            "kpis": [
                k.model_copy(
                    update={f: _dutch(getattr(k, f)) for f in ("name", "why", "owner", "action")}
                )
                for k in card.kpis
            ],
        }
    )


def sample_scorecard_file(lang: str) -> str:
    """The file name of the sample scorecard in ``lang``."""
    return SAMPLE_SCORECARD_NL if lang == "nl" else SAMPLE_SCORECARD


# -- the Dutch sample ---------------------------------------------------------------------
# The same scorecard in Dutch: every text a user reads (names, reasons, owners' roles, actions,
# dataset names). Ids, columns and sheet names stay as they are: they name the workbook.
_DUTCH: dict[str, str] = {
    # datasets
    "Orders": "Bestellingen",
    "Marketing": "Marketing",
    "Survey": "Klantonderzoek",
    "Deliveries": "Leveringen",
    # owners
    _JOOST: "Joost Bakker (eigenaar)",
    _SANNE: "Sanne de Vries (webshop)",
    _FATIMA: "Fatima El Amrani (winkelmanager)",
    _DAAN: "Daan Visser (logistiek)",
    _EVA: "Eva Jansen (marketing)",
    # the scorecard
    "Fietsenmakerij De Ketting, Utrecht: shop and web shop for bikes, e-bikes, parts and "
    "accessories, and a repair workshop. The plan for 2026.": "Fietsenmakerij De Ketting, "
    "Utrecht: winkel en webshop voor fietsen, e-bikes, onderdelen en accessoires, en een "
    "reparatiewerkplaats. Het plan voor 2026.",
    # goals
    "Grow web shop revenue 18% in 2026": "Webshopomzet 18% hoger in 2026",
    "Walk-in traffic in Utrecht is flat; the web shop reaches cyclists all over the Randstad "
    "and is where the growth has to come from.": "De aanloop in de winkel in Utrecht groeit "
    "niet meer; de webshop bereikt fietsers in de hele Randstad en daar moet de groei vandaan "
    "komen.",
    "€1.12M revenue in 2026 at a gross margin of at least 38%": "€ 1,12 mln omzet in 2026 "
    "bij een brutomarge van minstens 38%",
    "Growth only helps if it pays for the second mechanic hired in 2026; discounting bikes "
    "to reach a revenue number is not the plan.": "Groei helpt alleen als die de tweede "
    "monteur betaalt die in 2026 komt; fietsen afprijzen om een omzetcijfer te halen is niet "
    "het plan.",
    "Customers recommend us: NPS 40+ and satisfaction 4.2+ all year": "Klanten bevelen ons "
    "aan: het hele jaar NPS 40+ en tevredenheid 4,2+",
    "Most new customers come through word of mouth; a happy customer comes back for every "
    "service and for the next bike in the family.": "De meeste nieuwe klanten komen via "
    "mond-tot-mondreclame; een tevreden klant komt terug voor elke onderhoudsbeurt en voor de "
    "volgende fiets in het gezin.",
    "Web orders delivered in under 2 days, 92% on time": "Webbestellingen binnen 2 dagen "
    "geleverd, 92% op tijd",
    "Delivery speed is what web customers compare us on with the big online stores, and "
    "late parcels cost phone calls and refunds.": "Op levertijd vergelijken webklanten ons "
    "met de grote webwinkels, en late pakketten kosten telefoontjes en terugbetalingen.",
    "4,000 leads from a €50,000 marketing budget in 2026": "4.000 leads uit een "
    "marketingbudget van € 50.000 in 2026",
    "Marketing must bring people who come back (newsletter sign-ups, test rides) without "
    "growing faster than revenue.": "Marketing moet mensen opleveren die terugkomen "
    "(nieuwsbriefaanmeldingen, proefritten), zonder sneller te groeien dan de omzet.",
    # KPIs: names
    "Web shop revenue": "Webshopomzet",
    "Web average order value": "Gemiddelde orderwaarde webshop",
    "Newsletter subscribers": "Abonnees nieuwsbrief",
    "Revenue (all channels)": "Omzet (alle kanalen)",
    "Gross margin %": "Brutomarge %",
    "Gross profit": "Brutowinst",
    "Net Promoter Score": "Net Promoter Score (NPS)",
    "Customer satisfaction (1–5)": "Klanttevredenheid (1–5)",
    "Average delivery time": "Gemiddelde levertijd",
    "Delivered on time %": "Op tijd geleverd %",
    "Lead conversion (leads per 100 visits)": "Leadconversie (leads per 100 bezoeken)",
    "Cost per lead": "Kosten per lead",
    "Ad spend": "Advertentie-uitgaven",
    # KPIs: why
    "The goal itself, month by month, so a slow month shows before the year is lost.": "Het "
    "doel zelf, maand voor maand, zodat een slappe maand opvalt voordat het jaar verloren is.",
    "Below €70 free shipping and payment fees eat the margin; above €100 the month leans on "
    "bikes sold without a test ride, and returns follow.": "Onder € 70 eten gratis verzending "
    "en betaalkosten de marge op; boven € 100 leunt de maand op fietsen die zonder proefrit "
    "zijn verkocht, en dan volgen retouren.",
    "The newsletter is the cheapest sales channel of the web shop: every mailing brings "
    "orders.": "De nieuwsbrief is het goedkoopste verkoopkanaal van de webshop: elke mailing "
    "levert bestellingen op.",
    "The year's revenue plan, month by month (the Targets sheet).": "Het omzetplan van het "
    "jaar, maand voor maand (het tabblad Targets).",
    "Growth must not come from discounting. The web shop sells parts and accessories at a "
    "higher margin than the shop, where bikes weigh in.": "Groei mag niet uit kortingen komen. "
    "De webshop verkoopt onderdelen en accessoires met een hogere marge dan de winkel, waar de "
    "fietsen zwaar meewegen.",
    "What is left to pay the team, the rent and the second mechanic.": "Wat overblijft om het "
    "team, de huur en de tweede monteur te betalen.",
    "Would our customers recommend us? Promoters (9–10) minus detractors (0–6), as a share of "
    "all answers.": "Zouden onze klanten ons aanbevelen? Promotors (9–10) min criticasters "
    "(0–6), als aandeel van alle antwoorden.",
    "The direct score per order: an early warning before the NPS moves.": "Het directe cijfer "
    "per bestelling: een vroeg signaal voordat de NPS verandert.",
    "Customers compare us with the big web shops on speed.": "Klanten vergelijken onze "
    "snelheid met die van de grote webwinkels.",
    "A promise kept: 2 days, 3 for orders on Friday or Saturday.": "Een belofte nagekomen: 2 "
    "dagen, 3 voor bestellingen op vrijdag of zaterdag.",
    "Visits only help if visitors sign up, book a test ride or ask a question.": "Bezoeken "
    "helpen alleen als bezoekers zich aanmelden, een proefrit boeken of een vraag stellen.",
    "Ad spend has to buy interest, not just clicks.": "Advertentiegeld moet interesse kopen, "
    "niet alleen klikken.",
    "Marketing spend stays within the budget agreed per month.": "De marketinguitgaven blijven "
    "binnen het budget dat per maand is afgesproken.",
    # KPIs: agreed actions
    "Newsletter campaign to lapsed customers and a free-delivery weekend.": "Nieuwsbriefactie "
    "voor klanten die lang niets kochten en een weekend gratis bezorging.",
    "Review the free-shipping threshold and the bundles shown at checkout.": "De grens voor "
    "gratis verzending en de bundels bij het afrekenen herzien.",
    "Sign-up incentive (a free check-up) at the till and at checkout.": "Een aanmeldcadeau "
    "(een gratis controlebeurt) aan de kassa en bij het afrekenen.",
    "Discuss in the monthly meeting which channel and category is behind.": "In het "
    "maandoverleg bespreken welk kanaal en welke categorie achterblijft.",
    "Check the discounts given and the supplier prices of the top sellers.": "De gegeven "
    "kortingen en de inkoopprijzen van de best verkochte artikelen nalopen.",
    "Quarterly review with the accountant: costs, prices and the hiring plan.": "Kwartaaloverleg "
    "met de accountant: kosten, prijzen en het plan voor de nieuwe monteur.",
    "Call back every detractor within a week; discuss the themes in the team.": "Elke "
    "criticaster binnen een week terugbellen; de terugkerende punten in het team bespreken.",
    "Read the comments with the team; shorten the workshop's waiting list.": "De opmerkingen "
    "met het team lezen; de wachtlijst van de werkplaats verkorten.",
    "Ask the carrier about the late parcels; pack before 15:00 for same-day pickup.": "De "
    "vervoerder aanspreken op de late pakketten; vóór 15:00 inpakken voor ophalen dezelfde dag.",
    "Weekly call with the carrier; get a quote from a second carrier.": "Wekelijks overleg met "
    "de vervoerder; een offerte vragen bij een tweede vervoerder.",
    "Test the sign-up and test-ride forms on mobile; A/B-test the landing page.": "De "
    "formulieren voor aanmelden en proefritten op mobiel testen; een A/B-test van de "
    "landingspagina.",
    "Pause the campaigns with the highest cost per lead; move budget to search.": "De "
    "campagnes met de hoogste kosten per lead pauzeren; budget naar zoekadvertenties.",
    "Agree an overspend with the owner before the campaign starts, or stop it.": "Een "
    "overschrijding vooraf met de eigenaar afspreken, of de campagne stoppen.",
}


def _dutch(text: str | None) -> str | None:
    """The Dutch text of the sample; a text without a translation is a bug (tested)."""
    return None if text is None else _DUTCH[text]


# -- writing ---------------------------------------------------------------------------------
_MONEY_COLUMNS = frozenset({"Revenue", "Cost", "Ad spend", "Ad spend budget", "Revenue target"})
_COUNT_COLUMNS = frozenset({"Visits", "Leads", "Newsletter subscribers"})
_DATE_FORMAT = "yyyy-mm-dd"
_MONEY_FORMAT = "#,##0.00"
_COUNT_FORMAT = "#,##0"


def _cell_value(value: Any) -> Any:
    """A pandas value as the plain Python value openpyxl writes natively."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def build_workbook(frames: dict[str, pd.DataFrame]) -> Workbook:
    """A workbook with one formatted sheet per frame: bold frozen header, real dates and numbers.

    Dates are written as dates (``yyyy-mm-dd``), money with two decimals, everything numeric
    as a number, so the file reads like one exported from a shop system.
    """
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in frames.items():
        ws = wb.create_sheet(name)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([_cell_value(v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        for idx, column in enumerate(frame.columns, start=1):
            series = frame[column]
            if pd.api.types.is_datetime64_any_dtype(series):
                fmt, width = _DATE_FORMAT, 12
            elif column in _MONEY_COLUMNS:
                fmt, width = _MONEY_FORMAT, 14
            elif column in _COUNT_COLUMNS:
                fmt, width = _COUNT_FORMAT, 10
            elif pd.api.types.is_numeric_dtype(series):
                fmt, width = "General", 10  # scores and 1/0 flags
            else:
                fmt = "General"
                width = int(series.astype(str).str.len().max()) + 2
            if fmt != "General":
                for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                    cell.number_format = fmt
            ws.column_dimensions[get_column_letter(idx)].width = max(width, len(column) + 3)
    wb.properties.creator = "Koers sample generator"
    wb.properties.title = "Fietsenmakerij De Ketting — sample data"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    wb.properties.lastModifiedBy = "Koers"
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The xlsx bytes of ``wb``, identical on every run.

    openpyxl's ``save`` stamps the current time into the properties and every zip entry;
    here the properties keep their fixed times and the entries get a fixed timestamp.
    """
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_sample(directory: Path) -> list[Path]:
    """Write the sample workbook and its scorecard JSON (English and Dutch) into ``directory``
    (created if missing).

    Returns the paths written. Raises: OSError when the directory cannot be written.
    """
    directory.mkdir(parents=True, exist_ok=True)
    workbook = directory / SAMPLE_WORKBOOK
    workbook.write_bytes(workbook_bytes(build_workbook(sample_frames())))
    written = [workbook]
    for lang in ("en", "nl"):
        card = directory / sample_scorecard_file(lang)
        card.write_text(sample_scorecard(lang).to_json() + "\n", encoding="utf-8")
        written.append(card)
    return written
