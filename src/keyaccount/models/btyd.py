"""Buy-till-you-die models: BG/NBD purchase counts and Gamma-Gamma spend (docs/metrics.md §4).

For customers who buy when they like (no contract), how many purchases and how much spend to
expect from each of them, from three numbers per customer (the RFM summary, in periods of
``period_days`` days from each customer's first purchase to the end of the observation):

- ``frequency`` x: repeat purchases (purchase days after the first),
- ``recency`` t_x: time of the last purchase since the first,
- ``T``: time from the first purchase to the end of the observation,
- ``monetary`` z̄: mean value of the repeat purchases (the first is left out).

Models, with the likelihoods written here from the papers:

- **BG/NBD** — Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting Your Customers"
  the Easy Way: An Alternative to the Pareto/NBD Model. *Marketing Science* 24(2), 275–284.
  Purchases are Poisson(λ) while alive, λ ~ Gamma(r, α); after each purchase the customer
  dies with probability p, p ~ Beta(a, b). Likelihood (eq. 6), expected purchases of a new
  customer (eq. 7), P(alive) and conditional expected purchases in the next t periods
  (eq. 10). Pinned on the paper's CDNOW sample: r = 0.243, α = 4.414, a = 0.793, b = 2.426.
- **Gamma-Gamma** — Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: Using
  Iso-Value Curves for Customer Base Analysis. *Journal of Marketing Research* 42(4),
  415–430; likelihood as in Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value".
  A transaction's value is Gamma(p, ν), ν ~ Gamma(q, γ), independent of the purchase process;
  fitted on repeat customers (x > 0). Pinned on CDNOW: p = 6.25, q = 3.74, γ = 15.44.

The ``lifetimes`` package implements both, but it is unmaintained and its install pulls old
dependencies, so the likelihoods are written here and maximised with scipy (parameters on the
log scale, L-BFGS-B from all-ones). Conditional expectations use Euler's transformation of the
hypergeometric function, which stays finite for customers with hundreds of purchases.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

Array = NDArray[np.float64]
WEEK = 7.0


def _array(values: ArrayLike, name: str) -> Array:
    out = np.asarray(values, dtype=float)
    if out.ndim > 1 or not np.all(np.isfinite(out)):
        raise ValueError(f"{name}: expected a one-dimensional array of finite numbers")
    return np.atleast_1d(out)


def _validate_rfm(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> tuple[Array, ...]:
    """Check the RFM summary once, at the boundary (names the first rule that fails)."""
    x, t_x, big_t = (
        _array(frequency, "frequency"),
        _array(recency, "recency"),
        _array(T, "T"),
    )
    if not len(x) == len(t_x) == len(big_t):
        raise ValueError("frequency, recency and T must have the same length")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must be whole numbers ≥ 0 (repeat purchases)")
    if np.any(t_x < 0) or np.any(t_x > big_t + 1e-9):
        raise ValueError("recency must lie in [0, T]")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("recency must be 0 for customers with no repeat purchase")
    return x, t_x, big_t


def _fit(
    negative_ll: Callable[[Array], tuple[float, Array]], start: int
) -> optimize.OptimizeResult:
    """Minimise a mean negative log-likelihood given with its gradient (log parameters)."""
    return optimize.minimize(
        negative_ll,
        np.zeros(start),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9},
    )


# --- BG/NBD ----------------------------------------------------------------------------------


def bgnbd_log_likelihood(
    r: float, alpha: float, a: float, b: float, frequency: Array, recency: Array, T: Array
) -> Array:
    """Per-customer log-likelihood of the BG/NBD (Fader, Hardie & Lee 2005, eq. 6).

    ``L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^{r+x})
    + [x > 0] · B(a+1, b+x−1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^{r+x})``.
    """
    x = frequency
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    beta_ab = special.betaln(a, b)
    dead_never = special.betaln(a, b + x) - beta_ab - (r + x) * np.log(alpha + T)
    repeat = x > 0
    died = np.full_like(x, -np.inf)
    died[repeat] = (
        special.betaln(a + 1, b + x[repeat] - 1)
        - beta_ab
        - (r + x[repeat]) * np.log(alpha + recency[repeat])
    )
    return np.asarray(common + np.logaddexp(dead_never, died), dtype=float)


@dataclass(frozen=True)
class BgNbd:
    """A fitted BG/NBD: the four parameters, the log-likelihood and the fit's diagnostics."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int
    converged: bool

    def probability_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Array:
        """``P(alive | x, t_x, T) = 1 / (1 + [x > 0] · a/(b+x−1) · ((α+T)/(α+t_x))^{r+x})``."""
        x, t_x, big_t = _validate_rfm(frequency, recency, T)
        return _alive(self, x, t_x, big_t)

    def expected_purchases(
        self, t: float, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Array:
        """Expected purchases in the next ``t`` periods given the history (eq. 10).

        ``E[Y(t) | x, t_x, T] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x}
        · ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive)``.
        """
        x, t_x, big_t = _validate_rfm(frequency, recency, T)
        return _conditional_purchases(self, t, x, big_t) * _alive(self, x, t_x, big_t)

    def expected_purchases_new(self, t: float) -> float:
        """Expected purchases of a new customer in its first ``t`` periods (eq. 7).

        ``E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r · ₂F₁(r, b; a+b−1; t/(α+t))]``.
        """
        zero = np.zeros(1)
        return float(_conditional_purchases(self, t, zero, zero)[0])


def _alive(model: BgNbd, x: Array, t_x: Array, big_t: Array) -> Array:
    log_odds = np.full_like(x, -np.inf)
    repeat = x > 0
    log_odds[repeat] = np.log(model.a / (model.b + x[repeat] - 1)) + (model.r + x[repeat]) * (
        np.log(model.alpha + big_t[repeat]) - np.log(model.alpha + t_x[repeat])
    )
    return np.asarray(special.expit(-log_odds), dtype=float)


def _conditional_purchases(model: BgNbd, t: float, x: Array, big_t: Array) -> Array:
    """``(a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x} ₂F₁(r+x, b+x; a+b+x−1; z)]``.

    With Euler's transformation the bracket's product is ``(1−z)^{a−1} · ₂F₁(a+b−1−r, a−1;
    a+b+x−1; z)``, ``z = t/(α+T+t)``: no huge ₂F₁ times a tiny power for large x.
    """
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    z = t / (alpha + big_t + t)
    c = a + b + x - 1
    tail = np.power(1.0 - z, a - 1) * special.hyp2f1(a + b - 1 - r, a - 1, c, z)
    return np.asarray(c / (a - 1) * (1.0 - tail), dtype=float)


def _bgnbd_objective(
    x: Array, t_x: Array, big_t: Array, weight: Array
) -> Callable[[Array], tuple[float, Array]]:
    """The weighted mean negative log-likelihood of eq. 6 and its gradient in log parameters.

    Terms that depend on x alone (Γ, B and their digammas) are computed once per distinct x;
    per row only ``log(α+T)``, ``log(α+t_x)`` and the mixture weights remain. With
    ``L = C + log(e^A + e^B)`` and ``w = e^B / (e^A + e^B)`` (the share of the "died after the
    last purchase" term; 0 when x = 0):

    - ∂/∂r = ψ(r+x) − ψ(r) + log α − (1−w) log(α+T) − w log(α+t_x)
    - ∂/∂α = r/α − (r+x) [(1−w)/(α+T) + w/(α+t_x)]
    - ∂/∂a = ψ(a+b) − ψ(a+b+x) + w/a
    - ∂/∂b = ψ(a+b) − ψ(b) − ψ(a+b+x) + ψ(b+x) − w/(b+x−1)
    """
    distinct, at = np.unique(x, return_inverse=True)
    repeat = distinct > 0
    died = np.flatnonzero(x > 0)

    def negative_ll(log_params: Array) -> tuple[float, Array]:
        r, alpha, a, b = np.exp(log_params)
        rx = r + distinct
        beta_ab = special.betaln(a, b)
        never_x = special.betaln(a, b + distinct) - beta_ab
        died_x = np.full_like(distinct, -np.inf)
        died_x[repeat] = special.betaln(a + 1, b + distinct[repeat] - 1) - beta_ab
        inverse_b = np.zeros_like(distinct)
        inverse_b[repeat] = 1.0 / (b + distinct[repeat] - 1)

        row_rx = rx[at]
        log_big_t = np.log(alpha + big_t)
        log_t_x = np.log(alpha + t_x)
        dead_never = never_x[at] - row_rx * log_big_t
        died_row = np.full_like(x, -np.inf)
        died_row[died] = died_x[at[died]] - row_rx[died] * log_t_x[died]
        mixture = np.logaddexp(dead_never, died_row)
        share = np.exp(died_row - mixture)  # w; 0 where x = 0
        common = special.gammaln(rx) - special.gammaln(r) + r * np.log(alpha)
        ll = common[at] + mixture

        psi_abx = special.digamma(a + b + distinct)
        d_r = (
            special.digamma(rx)[at]
            - special.digamma(r)
            + np.log(alpha)
            - (1.0 - share) * log_big_t
            - share * log_t_x
        )
        d_alpha = r / alpha - row_rx * ((1.0 - share) / (alpha + big_t) + share / (alpha + t_x))
        d_a = (special.digamma(a + b) - psi_abx)[at] + share / a
        d_b = (
            special.digamma(a + b) - special.digamma(b) - psi_abx + special.digamma(b + distinct)
        )[at] - share * inverse_b[at]
        grad = np.array([weight @ d_r, weight @ d_alpha, weight @ d_a, weight @ d_b])
        return -float(weight @ ll), -grad * np.array([r, alpha, a, b])

    return negative_ll


def fit_bgnbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> BgNbd:
    """Maximum-likelihood BG/NBD on an RFM summary (any time unit, used consistently)."""
    x, t_x, big_t = _validate_rfm(frequency, recency, T)
    if len(x) == 0 or not np.any(x > 0):
        raise ValueError("the BG/NBD needs customers, some of them with repeat purchases")
    # Customers with the same (x, t_x, T) share a likelihood term: fit on the distinct rows.
    rows, counts = np.unique(np.column_stack([x, t_x, big_t]), axis=0, return_counts=True)
    ux, ut_x, ut = rows[:, 0], rows[:, 1], rows[:, 2]
    weight = counts / counts.sum()

    result = _fit(_bgnbd_objective(ux, ut_x, ut, weight), 4)
    r, alpha, a, b = (float(v) for v in np.exp(result.x))
    total = float(np.dot(counts, bgnbd_log_likelihood(r, alpha, a, b, ux, ut_x, ut)))
    return BgNbd(r, alpha, a, b, total, len(x), bool(result.success))


# --- Gamma-Gamma -----------------------------------------------------------------------------


def gamma_gamma_log_likelihood(
    p: float, q: float, gamma: float, frequency: Array, monetary: Array
) -> Array:
    """Per-customer log-likelihood of z̄ given x repeat purchases (Fader & Hardie 2013, eq. 3).

    ``f(z̄ | p, q, γ; x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q x^{px} z̄^{px−1} / (γ + x z̄)^{px+q}``.
    """
    x, z = frequency, monetary
    px = p * x
    return np.asarray(
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(gamma)
        + px * np.log(x)
        + (px - 1) * np.log(z)
        - (px + q) * np.log(gamma + x * z),
        dtype=float,
    )


def _validate_spend(frequency: ArrayLike, monetary: ArrayLike) -> tuple[Array, Array]:
    x, z = _array(frequency, "frequency"), _array(monetary, "monetary")
    if len(x) != len(z):
        raise ValueError("frequency and monetary must have the same length")
    if np.any(x <= 0) or np.any(z <= 0):
        raise ValueError(
            "the Gamma-Gamma takes repeat customers only: frequency > 0 and monetary > 0"
        )
    return x, z


@dataclass(frozen=True)
class GammaGamma:
    """A fitted Gamma-Gamma spend model."""

    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int
    converged: bool

    @property
    def mean_spend(self) -> float:
        """Population mean transaction value ``p γ / (q − 1)`` (infinite when q ≤ 1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("inf")

    def expected_average_spend(self, frequency: ArrayLike, monetary: ArrayLike) -> Array:
        """``E[Z | x, z̄] = p (γ + x z̄) / (p x + q − 1)``; the population mean when x = 0.

        A weighted mean of the population mean and the customer's own mean z̄, the weight of
        z̄ growing with x (Fader, Hardie & Lee 2005, JMR, eq. 5).
        """
        x, z = _array(frequency, "frequency"), _array(monetary, "monetary")
        if len(x) != len(z) or np.any(x < 0):
            raise ValueError("frequency (≥ 0) and monetary must have the same length")
        z = np.where(x > 0, z, 0.0)
        return np.asarray(self.p * (self.gamma + x * z) / (self.p * x + self.q - 1), dtype=float)


def _gamma_gamma_objective(x: Array, z: Array) -> Callable[[Array], tuple[float, Array]]:
    """The mean negative log-likelihood of the Gamma-Gamma and its gradient (log parameters).

    Γ terms and digammas are computed once per distinct x. Per customer, with
    ``s = log(γ + x z̄)``:

    - ∂/∂p = x [ψ(px+q) − ψ(px) + log x + log z̄ − s]
    - ∂/∂q = ψ(px+q) − ψ(q) + log γ − s
    - ∂/∂γ = q/γ − (px+q)/(γ + x z̄)
    """
    distinct, at = np.unique(x, return_inverse=True)
    log_x, log_z, xz = np.log(distinct), np.log(z), x * z
    n = len(x)

    def negative_ll(log_params: Array) -> tuple[float, Array]:
        p, q, gamma = np.exp(log_params)
        px = p * distinct
        row_px = px[at]
        log_spend = np.log(gamma + xz)
        per_x = special.gammaln(px + q) - special.gammaln(px) + px * log_x
        ll = (
            per_x[at]
            - special.gammaln(q)
            + q * np.log(gamma)
            + (row_px - 1) * log_z
            - (row_px + q) * log_spend
        )
        psi_pxq = special.digamma(px + q)
        d_p = x * ((psi_pxq - special.digamma(px) + log_x)[at] + log_z - log_spend)
        d_q = psi_pxq[at] - special.digamma(q) + np.log(gamma) - log_spend
        d_gamma = q / gamma - (row_px + q) / (gamma + xz)
        grad = np.array([d_p.sum(), d_q.sum(), d_gamma.sum()]) / n
        return -float(ll.sum()) / n, -grad * np.array([p, q, gamma])

    return negative_ll


def fit_gamma_gamma(frequency: ArrayLike, monetary: ArrayLike) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma on repeat customers (frequency > 0, monetary > 0)."""
    x, z = _validate_spend(frequency, monetary)
    result = _fit(_gamma_gamma_objective(x, z), 3)
    p, q, gamma = (float(v) for v in np.exp(result.x))
    total = float(gamma_gamma_log_likelihood(p, q, gamma, x, z).sum())
    return GammaGamma(p, q, gamma, total, len(x), bool(result.success))


# --- RFM summary -----------------------------------------------------------------------------


def rfm_summary(
    transactions: pd.DataFrame,
    customer: str,
    day: str,
    observation_end: date | pd.Timestamp,
    amount: str | None = None,
    period_days: float = WEEK,
) -> pd.DataFrame:
    """Per customer: frequency, recency, T and (with ``amount``) monetary, in ``period_days``.

    Transactions after ``observation_end`` are left out; those of one customer on one day are
    one purchase (amounts summed). ``frequency`` = purchase days − 1; ``recency`` = (last −
    first day) / period; ``T`` = (observation_end − first day) / period; ``monetary`` = mean
    amount of the repeat purchase days (0 with no repeat). Indexed by customer, sorted.
    """
    missing = [c for c in (customer, day, amount) if c is not None and c not in transactions]
    if missing:
        raise ValueError(f"transactions have no column {', '.join(missing)}")
    end = pd.Timestamp(observation_end)
    frame = pd.DataFrame(
        {
            "customer": transactions[customer].to_numpy(),
            "day": pd.to_datetime(transactions[day]).dt.normalize().to_numpy(),
            "amount": transactions[amount].astype(float).to_numpy() if amount else 0.0,
        }
    )
    frame = frame[frame.day <= end]
    days = frame.groupby(["customer", "day"], sort=True).amount.sum().reset_index()
    per = days.groupby("customer", sort=True)
    first = per.day.min()
    frequency = per.size() - 1
    summary = pd.DataFrame(
        {
            "frequency": frequency.astype(int),
            "recency": (per.day.max() - first).dt.days / period_days,
            "T": (end - first).dt.days / period_days,
        }
    )
    if amount is not None:
        first_amount = per.amount.first()  # days are sorted: the first purchase day's amount
        repeat_total = per.amount.sum() - first_amount
        summary["monetary"] = (repeat_total / frequency.where(frequency > 0)).fillna(0.0)
    summary.index.name = customer
    return summary


def purchase_forecast(
    summary: pd.DataFrame, t: float, min_repeat_customers: int = 20
) -> tuple[pd.DataFrame, BgNbd, GammaGamma | None]:
    """Fit both models on an RFM summary and forecast the next ``t`` periods per customer.

    Adds p_alive, expected_purchases and — when at least ``min_repeat_customers`` customers
    have repeat purchases of positive mean value — expected_spend (per purchase) and
    expected_value (purchases × spend). Raises ValueError when the BG/NBD cannot be fitted.
    """
    bgnbd = fit_bgnbd(summary.frequency, summary.recency, summary["T"])
    out = summary.copy()
    out["p_alive"] = bgnbd.probability_alive(summary.frequency, summary.recency, summary["T"])
    out["expected_purchases"] = bgnbd.expected_purchases(
        t, summary.frequency, summary.recency, summary["T"]
    )
    spend: GammaGamma | None = None
    if "monetary" in summary:
        repeat = (summary.frequency > 0) & (summary.monetary > 0)
        if int(repeat.sum()) >= min_repeat_customers:
            spend = fit_gamma_gamma(summary.frequency[repeat], summary.monetary[repeat])
            x = summary.frequency.where(repeat, 0)
            out["expected_spend"] = spend.expected_average_spend(x, summary.monetary)
            out["expected_value"] = out.expected_purchases * out.expected_spend
    return out, bgnbd, spend


def parameters(model: BgNbd | GammaGamma) -> dict[str, float]:
    """A fitted model's parameters by name (for tables and JSON)."""
    names: Sequence[str] = (
        ("r", "alpha", "a", "b") if isinstance(model, BgNbd) else ("p", "q", "gamma")
    )
    return {n: float(getattr(model, n)) for n in names}
