"""Who each request of the sample council is for: an age band and a primary support reason.

The innovation sites see a younger mix, with more people needing physical support, than usual
practice, so a like-for-like comparison (``evaluation.measures.standardise``) has something
real to take apart: part of the sites' lower conversion and smaller cost rises is their mix.
Each request draws from its own ``random.Random``, seeded by the sample's seed and the request
id, so giving the sample these two columns changed no other value in it. Outcomes are fixed
first; the mix is drawn given the outcome (Bayes' rule on the likelihoods below), which gives
the same joint distribution as drawing the person first.
"""

from __future__ import annotations

import random
from decimal import Decimal

# Each approach's mix: the share aged 65 or over, and the share of each support reason.
AGE_65_SHARE = {"three conversations": 0.45, "usual practice": 0.70}
SUPPORT_REASONS = (
    "Physical support",
    "Memory and cognition",
    "Mental health",
    "Learning disability",
)
REASON_MIX = {
    "three conversations": (0.55, 0.13, 0.20, 0.12),
    "usual practice": (0.34, 0.36, 0.18, 0.12),
}
# How much likelier than average each group is to end with long-term support (or, for people
# with care already, a rise in its cost), and each approach's share of such outcomes.
AGE_LIKELIHOOD = {"18-64": 1.0, "65+": 1.3}
REASON_LIKELIHOOD = (0.9, 1.4, 1.0, 1.2)
OUTCOME_SHARE = {"three conversations": 0.09, "usual practice": 0.13}


def _money(text: str) -> Decimal:
    return Decimal(text.replace("\u00a3", "").replace(",", ""))


def _outcome(conversations: list[dict[str, str]], packages: list[dict[str, str]]) -> bool | None:
    """Whether a request ended with long-term support (new) or a rise in its care's cost
    (existing); None while unknown (work underway, care stopped)."""
    if conversations[0]["Request type"] == "new":
        last = conversations[-1]["Long term support"]
        return None if not last else last == "Yes"
    if any(c["Died on"] for c in conversations) or any(p["Status"] != "active" for p in packages):
        return None
    if not conversations[-1]["Ended on"]:
        return None
    costs = [_money(p["Gross weekly cost"]) for p in packages]
    return len(costs) == 2 and costs[1] > costs[0]


def who(rows: list[dict[str, str]], packages: list[dict[str, str]], seed: int) -> None:
    """Give a request's conversation ``rows`` (with the care ``packages`` made for it) its age
    band and support reason, the same on each row."""
    approach = (
        "usual practice" if rows[0]["Approach"] == "Usual practice" else "three conversations"
    )
    outcome = _outcome(rows, packages)
    rng = random.Random(f"{seed}:{rows[0]['Request ID']}")
    strata, weights = [], []
    for age, age_share in (("18-64", 1 - AGE_65_SHARE[approach]), ("65+", AGE_65_SHARE[approach])):
        for index, reason in enumerate(SUPPORT_REASONS):
            likely = AGE_LIKELIHOOD[age] * REASON_LIKELIHOOD[index] * OUTCOME_SHARE[approach]
            fits = 1.0 if outcome is None else likely if outcome else 1 - likely
            strata.append((age, reason))
            weights.append(age_share * REASON_MIX[approach][index] * fits)
    age, reason = rng.choices(strata, weights)[0]
    for row in rows:
        row["Age band"], row["Support reason"] = age, reason
