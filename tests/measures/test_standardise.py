"""Like for like with usual practice: direct standardisation, checked by hand and by simulation.

Each test decides the requests in every stratum (``tests.fixtures.mix``), imports them
through the real import, and reads the standardised figures back: weights worked out by hand,
a difference that is all mix (exactly zero once standardised), one that is real, strata one
side lacks or holds too few of, and the intervals' coverage over a few hundred seeded draws.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from evaluation.core.vocabulary import USUAL_PRACTICE_ALL_SITES
from evaluation.ingest.sample_loader import load_sample
from evaluation.measures import conversion, cost_change
from evaluation.measures.intervals import Z95, linear_means_interval, linear_proportions_interval
from evaluation.measures.selection import Selection
from evaluation.measures.standardise import (
    check_strata,
    standardised_conversion,
    standardised_cost_change,
)
from evaluation.measures.strata import (
    FEW_IN_GROUP,
    FEW_IN_REFERENCE,
    NO_REFERENCE,
    NO_SHARED_STRATA,
    NOT_IN_GROUP,
    NOT_IN_REFERENCE,
)
from evaluation.present.compare import verdict
from evaluation.store.connection import Store
from tests.fixtures.mix import Group, load

UP, TC = "usual practice", "three conversations"
OLD, NEW = "Old team", "New site"
PHYSICAL, MEMORY = "Physical support", "Memory and cognition"


def test_weights_rates_and_intervals_worked_out_by_hand(store: Store) -> None:
    load(
        store,
        [
            Group(OLD, UP, "18-64", PHYSICAL, new=10, long_term=1),
            Group(OLD, UP, "65+", PHYSICAL, new=30, long_term=9),
            Group(NEW, TC, "18-64", PHYSICAL, new=30, long_term=3),
            Group(NEW, TC, "65+", PHYSICAL, new=10, long_term=2),
        ],
    )
    result = standardised_conversion(store, fields=["age_band"])
    tc = result.group([TC])
    assert tc is not None
    # usual practice has 10 of its 40 new requests aged 18-64 and 30 aged 65+
    assert [(s.key, s.weight) for s in tc.kept] == [
        ({"age_band": "18-64"}, Fraction(1, 4)),
        ({"age_band": "65+"}, Fraction(3, 4)),
    ]
    assert tc.crude == 12.5  # 5 of 40
    assert tc.standardised == 17.5  # 1/4 × 3/30 + 3/4 × 2/10
    assert tc.reference_value == 25.0  # 1/4 × 1/10 + 3/4 × 9/30: usual practice's own 10/40
    assert tc.difference == -7.5
    assert tc.crude_difference == -12.5
    # Price and Bonett: 2/k more successes and 4/k more trials in each of the k proportions
    young, old = (3 + 1) / (30 + 2), (2 + 1) / (10 + 2)
    centre = 0.25 * young + 0.75 * old
    half = Z95 * math.sqrt(0.25**2 * young * (1 - young) / 32 + 0.75**2 * old * (1 - old) / 12)
    assert tc.ci95 == pytest.approx((100 * (centre - half), 100 * (centre + half)))
    k = 4  # the difference combines four proportions: both sides' two strata
    mine = [(x + 2 / k) / (n + 4 / k) for x, n in ((3, 30), (2, 10))]
    usual = [(x + 2 / k) / (n + 4 / k) for x, n in ((1, 10), (9, 30))]
    trials = [30 + 4 / k, 10 + 4 / k, 10 + 4 / k, 30 + 4 / k]
    weights = [0.25, 0.75, -0.25, -0.75]
    ps = [*mine, *usual]
    centre = sum(w * p for w, p in zip(weights, ps, strict=True))
    half = Z95 * math.sqrt(
        sum(w * w * p * (1 - p) / t for w, p, t in zip(weights, ps, trials, strict=True))
    )
    assert tc.difference_ci95 == pytest.approx((100 * (centre - half), 100 * (centre + half)))
    assert result.reference_requests == 40 and result.reference_crude == 25.0


# Four strata with usual practice's rates 1/7, 2/7, 2/7, 3/7; three conversations has exactly
# the same rate in each, but a younger mix with more physical support.
SAME_RATES = [
    Group(OLD, UP, "18-64", PHYSICAL, new=14, long_term=2),
    Group(OLD, UP, "18-64", MEMORY, new=21, long_term=6),
    Group(OLD, UP, "65+", PHYSICAL, new=35, long_term=10),
    Group(OLD, UP, "65+", MEMORY, new=28, long_term=12),
    Group(NEW, TC, "18-64", PHYSICAL, new=70, long_term=10),
    Group(NEW, TC, "18-64", MEMORY, new=14, long_term=4),
    Group(NEW, TC, "65+", PHYSICAL, new=14, long_term=4),
    Group(NEW, TC, "65+", MEMORY, new=7, long_term=3),
]


def test_when_the_whole_difference_is_the_mix_the_standardised_rates_agree_exactly(
    store: Store,
) -> None:
    load(store, SAME_RATES)
    result = standardised_conversion(store)
    tc, up = result.group([TC]), result.group([UP])
    assert tc is not None and up is not None
    assert tc.crude == pytest.approx(100 * 21 / 105) and up.crude == pytest.approx(100 * 30 / 98)
    assert tc.crude != up.crude  # as they are, the innovation site converts far fewer
    assert tc.standardised == up.standardised == tc.reference_value  # exactly, not nearly
    assert tc.difference == 0.0
    low, high = tc.difference_ci95
    assert low < 0 < high
    assert up.is_reference and up.difference is None
    words = verdict(tc, result)
    assert "cannot tell three conversations apart from usual practice" in words
    assert "no difference" in words


def test_a_real_difference_survives_standardisation(store: Store) -> None:
    load(
        store,
        [
            Group(OLD, UP, "18-64", PHYSICAL, new=100, long_term=10),
            Group(OLD, UP, "65+", PHYSICAL, new=100, long_term=30),
            Group(NEW, TC, "18-64", PHYSICAL, new=150, long_term=3),
            Group(NEW, TC, "65+", PHYSICAL, new=50, long_term=5),
        ],
    )
    tc = standardised_conversion(store, fields=["age_band"]).group([TC])
    assert tc is not None
    assert tc.standardised == 6.0  # 1/2 × 2% + 1/2 × 10%
    assert tc.reference_value == 20.0 and tc.difference == -14.0
    assert tc.difference_ci95[1] < 0  # the whole interval is below no difference
    words = verdict(tc, standardised_conversion(store, fields=["age_band"]))
    assert "lower for three conversations than for usual practice by 14.00 points" in words
    assert "more than chance alone would explain" in words


def _costs(per_stratum: dict[str, list[int]], copies: dict[str, int], site: str, approach: str):  # type: ignore[no-untyped-def]
    age = {"young": "18-64", "old": "65+"}
    return [
        Group(site, approach, age[k], PHYSICAL, changes=per_stratum[k] * copies[k])
        for k in per_stratum
    ]


def test_cost_change_all_mix_standardises_to_exactly_the_same_average(store: Store) -> None:
    changes = {"young": [0, 0, 0, -20, 45], "old": [0, 60, 110, 0, 25, 0, 160]}
    load(
        store,
        _costs(changes, {"young": 2, "old": 5}, OLD, UP)
        + _costs(changes, {"young": 6, "old": 1}, NEW, TC),
    )
    result = standardised_cost_change(store, fields=["age_band"])
    tc, up = result.group([TC]), result.group([UP])
    assert tc is not None and up is not None
    report = {g.key["approach"]: g for g in cost_change.summary(store).groups}
    assert tc.crude == report[TC].mean_weekly_change != up.crude == report[UP].mean_weekly_change
    assert tc.standardised == up.standardised == tc.reference_value
    assert tc.difference == Decimal("0.00")
    assert tc.difference_ci95[0] < 0 < tc.difference_ci95[1]


def test_strata_one_side_lacks_or_holds_too_few_of_are_left_out_of_both(store: Store) -> None:
    load(
        store,
        [
            Group(OLD, UP, "18-64", PHYSICAL, new=10, long_term=1),
            Group(OLD, UP, "65+", PHYSICAL, new=10, long_term=3),
            Group(OLD, UP, "65+", MEMORY, new=3, long_term=1),
            Group(OLD, UP, "18-64", "Mental health", new=10, long_term=2),
            Group(OLD, UP, "65+", "Learning disability", new=10, long_term=2),
            Group(NEW, TC, "18-64", PHYSICAL, new=10, long_term=1),
            Group(NEW, TC, "65+", PHYSICAL, new=10, long_term=2),
            Group(NEW, TC, "65+", MEMORY, new=10, long_term=2),
            Group(NEW, TC, "18-64", "Sensory support", new=10, long_term=0),
            Group(NEW, TC, "65+", "Learning disability", new=2, long_term=0),
        ],
    )
    result = standardised_conversion(store)
    tc = result.group([TC])
    assert tc is not None
    left_out = {tuple(s.key.values()): s.left_out for s in tc.left_out}
    assert left_out == {
        ("18-64", "Mental health"): NOT_IN_GROUP,
        ("18-64", "Sensory support"): NOT_IN_REFERENCE,
        ("65+", "Learning disability"): FEW_IN_GROUP,
        ("65+", MEMORY): FEW_IN_REFERENCE,
    }
    assert [s.weight for s in tc.kept] == [Fraction(1, 2), Fraction(1, 2)]
    assert tc.standardised == 15.0 and tc.reference_value == 20.0  # (10% + 20%)/2, (10%+30%)/2
    assert (tc.covered, tc.requests) == (20, 42)
    fields = tc.as_dict()
    assert [s["support_reason"] for s in fields["standardised_strata"]] == [PHYSICAL, PHYSICAL]
    assert {s["reason"] for s in fields["standardised_left_out"]} == set(left_out.values())
    assert all("long_term" not in s for s in fields["standardised_left_out"])  # counts only


def test_too_small_to_compare_and_nothing_to_compare_with(store: Store) -> None:
    load(
        store,
        [
            Group(OLD, UP, "65+", MEMORY, new=4, long_term=1),
            Group(NEW, TC, "65+", MEMORY, new=40, long_term=4),
        ],
    )
    tc = standardised_conversion(store).group([TC])
    assert tc is not None and tc.too_small == NO_SHARED_STRATA and tc.standardised is None
    assert tc.ci95 is None and tc.difference is None
    only_innovation = Selection(approaches=(TC,), sites=(NEW,))
    # the site has no usual practice of its own, and usual practice everywhere is too small
    assert standardised_conversion(store, only_innovation).group([TC]).too_small == (  # type: ignore[union-attr]
        NO_SHARED_STRATA
    )


def test_no_usual_practice_at_all(store: Store) -> None:
    load(store, [Group(NEW, TC, "65+", MEMORY, new=40, long_term=4)])
    tc = standardised_conversion(store).group([TC])
    assert tc is not None and tc.too_small == NO_REFERENCE


def test_a_site_on_its_own_is_set_against_usual_practice_at_every_site(store: Store) -> None:
    load(store, SAME_RATES)
    result = standardised_conversion(store, Selection(sites=(NEW,)), by=["site"])
    assert result.reference_label == USUAL_PRACTICE_ALL_SITES
    site = result.group([NEW])
    assert site is not None and site.difference == 0.0


def test_each_site_against_usual_practice(store: Store) -> None:
    load(store, [*SAME_RATES, *(Group("Second site", TC, g.age_band, g.support_reason,
         new=g.new, long_term=g.long_term) for g in SAME_RATES[:4])])  # fmt: skip
    result = standardised_conversion(store, by=["site"])
    by_site = {g.label: g for g in result.groups}
    assert set(by_site) == {NEW, OLD, "Second site"}
    assert by_site[OLD].is_reference
    assert by_site["Second site"].standardised == by_site[NEW].standardised
    assert by_site["Second site"].crude != by_site[NEW].crude


def test_the_counts_per_stratum_are_the_roll_ups_own(store: Store) -> None:
    """On the sample: every stratum's requests and outcomes equal what conversion and cost
    change report when split by approach, age band and support reason."""
    load_sample(store)
    by = ("approach", "age_band", "support_reason")
    rates = standardised_conversion(store)
    split = {tuple(r.group.values()): r for r in conversion.conversion(store, None, by)}
    for g in rates.groups:
        for s in g.kept:
            row = split[(g.group["approach"], *s.key.values())]
            assert (s.group.n, int(s.group.total)) == (row.new_requests, row.long_term)
    costs = standardised_cost_change(store)
    table = {tuple(c.key.values()): c for c in cost_change.summary(store, by=by).groups}
    for g in costs.groups:
        for s in g.kept:
            column = table[(g.group["approach"], *s.key.values())]
            assert s.group.n == column.completed
            assert s.group.total == column.total_change
            assert s.group.sd == pytest.approx(column.sd)


def test_the_fields_are_checked() -> None:
    assert check_strata([" Age_Band", "support_reason", "age_band"]) == (
        "age_band",
        "support_reason",
    )
    for bad in (["month"], [], ["site; DROP TABLE"]):
        with pytest.raises(ValueError, match="can't standardise across"):
            check_strata(bad)


# --- coverage, by simulation ---------------------------------------------------------------


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def _normal(terms: list[tuple[float, int, int]]) -> tuple[float, float]:
    """The plain normal approximation: Σ w·p ± z·√(Σ w² p(1−p)/n)."""
    centre = sum(w * x / n for w, x, n in terms)
    half = Z95 * math.sqrt(sum(w * w * (x / n) * (1 - x / n) / n for w, x, n in terms))
    return centre - half, centre + half


# Strata of 5 to 20 requests with rates of 5–25%: what a small site split by age band and
# support reason looks like.
SIZES = (12, 9, 7, 5, 20, 10, 6, 5)
RATES = (0.05, 0.08, 0.12, 0.10, 0.12, 0.20, 0.25, 0.15)
WEIGHTS = (0.10, 0.10, 0.10, 0.05, 0.20, 0.25, 0.10, 0.10)


def test_the_standardised_rates_interval_covers_about_95_percent() -> None:
    rng = random.Random(18)
    truth = sum(w * p for w, p in zip(WEIGHTS, RATES, strict=True))
    draws, ours, plain = 400, 0, 0
    for _ in range(draws):
        terms = [
            (w, _binomial(rng, n, p), n) for w, n, p in zip(WEIGHTS, SIZES, RATES, strict=True)
        ]
        low, high = linear_proportions_interval(terms)  # type: ignore[misc]
        ours += low <= truth <= high
        low, high = _normal(terms)
        plain += low <= truth <= high
    assert 0.92 <= ours / draws <= 0.98
    assert plain / draws < ours / draws - 0.02  # why not the normal approximation


def test_the_standardised_differences_interval_covers_about_95_percent() -> None:
    """A group and usual practice with the same rate in every stratum (no real difference)."""
    rng = random.Random(19)
    draws, covered = 400, 0
    for _ in range(draws):
        terms = []
        for w, n, p in zip(WEIGHTS, SIZES, RATES, strict=True):
            terms += [(w, _binomial(rng, n, p), n), (-w, _binomial(rng, 3 * n, p), 3 * n)]
        low, high = linear_proportions_interval(terms)  # type: ignore[misc]
        covered += low <= 0 <= high
    assert 0.92 <= covered / draws <= 0.98


def test_the_standardised_averages_interval_covers_about_95_percent() -> None:
    """Weekly changes as they come: mostly none, some rises of £40–£215, a few falls."""
    rng = random.Random(20)
    rises, falls = (43.2, 64.35, 107.25, 150.15, 214.5), (-21.45, -42.9, -75.6)
    shares = ((0.10, 0.10), (0.20, 0.10), (0.10, 0.05), (0.30, 0.10))  # (rise, fall) a stratum
    sizes, weights = (20, 40, 60, 30), (0.25, 0.25, 0.25, 0.25)
    truth = sum(
        w * (r * sum(rises) / len(rises) + f * sum(falls) / len(falls))
        for w, (r, f) in zip(weights, shares, strict=True)
    )
    draws, covered = 400, 0
    for _ in range(draws):
        terms, estimate = [], 0.0
        for w, n, (r, f) in zip(weights, sizes, shares, strict=True):
            values = []
            for _ in range(n):
                u = rng.random()
                values.append(rng.choice(rises) if u < r else rng.choice(falls) if u < r + f else 0)
            mean = sum(values) / n
            sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
            terms.append((w, sd, n))
            estimate += w * mean
        low, high = linear_means_interval(estimate, terms)  # type: ignore[misc]
        covered += low <= truth <= high
    assert 0.92 <= covered / draws <= 0.98
