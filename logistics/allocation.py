"""The largest-remainder rule (Hamilton's method), pure: split `total` units in proportion to `weights`. Each share
is its exact quota rounded down; the units left over go one each to the largest fractional remainders (ties to the
earlier entry). So the shares sum exactly to `total` and none is more than one unit below its quota — a rule a
site can check by hand, which is why it is used rather than anything cleverer."""

from fractions import Fraction


def quotas(total, weights):
    """The exact share of each weight, as fractions (all equal when every weight is zero)."""
    weights = [Fraction(max(0, w)) for w in weights]  # footfalls may be floats (samples an hour): exact anyway
    whole = sum(weights)
    if whole == 0:
        weights, whole = [Fraction(1)] * len(weights), len(weights)
    return [total * w / whole for w in weights]


def largest_remainder(total, weights):
    """[int] summing to `total`: floor of each quota, plus one for the `total - sum(floors)` largest remainders."""
    if not weights:
        return []
    exact = quotas(total, weights)
    shares = [int(q) for q in exact]  # Fractions >= 0: int() is floor
    left = total - sum(shares)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:left]:
        shares[i] += 1
    return shares
