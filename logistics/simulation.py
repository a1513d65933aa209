"""The page's two hours (12:00–14:00): 127 donors pledge 3,522 boxes through the public pledge page. Shared by
`gridcare simulate-donations` and the demo (which records the same pledges through the service)."""

import random

from logistics.allocation import largest_remainder

DONORS = 127
UNITS = 3522
HOURS = 2

KINDS = ["爱心企业", "个体商户", "热心市民", "商会", "物业公司", "超市", "车队", "校友会"]
SURNAMES = "陈李黄张梁林吴何罗刘郑谭冯周余赵"


def pledges_script(seed=1, donors=DONORS, units=UNITS):
    """[(seconds after the start, donor, phone, quantity, may_name)]: `donors` pledges summing to `units`, spread
    over HOURS hours, most early (the call went out at noon)."""
    rng = random.Random(seed)
    # Everyone gives at least one box; the rest by a skewed weight (a few firms give hundreds).
    weights = [rng.paretovariate(1.2) for _ in range(donors)]
    quantities = [1 + q for q in largest_remainder(units - donors, weights)]
    offsets = sorted(rng.triangular(0, HOURS * 3600, 0) for _ in range(donors))
    script = []
    for n, (offset, quantity) in enumerate(zip(offsets, quantities, strict=True)):
        donor = (
            f"{rng.choice(SURNAMES)}{'先生' if n % 2 else '女士'}" if quantity < 20 else f"{rng.choice(KINDS)}{n + 1}"
        )
        phone = f"139{n:04d}{rng.randrange(10_000):04d}"
        script.append((offset, donor, phone, quantity, rng.random() < 0.7))
    return script
