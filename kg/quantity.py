"""Quantities as the texts give them, after Wikidata's model: an amount or bounds, and how exact.

"between two and three thousand" is a range, not 2000; "no more than 25" an upper bound;
"some 2,500" an approximate amount. Only an exact amount becomes a plain number in the graph
(https://www.wikidata.org/wiki/Help:Data_type#Quantity: amount, lowerBound, upperBound).
"""

from __future__ import annotations

from dataclasses import dataclass

QUANTITY_KEYS = ("amount", "lower", "upper", "lower_exclusive", "upper_exclusive", "approximate", "written")

# What a number counts, and the default for each number predicate (`count` has none: say it).
COUNTED = ("deputies", "members", "workers", "delegates", "seats", "participants", "victims",
           "alternates", "persons")
DEFAULT_COUNTED = {"numberOfDeputies": "deputies", "workersRepresented": "workers",
                   "executiveCommitteeSize": "members", "numberOfMembers": "members",
                   "numberOfParticipants": "participants", "numberOfVictims": "victims",
                   "numberOfDelegates": "delegates", "numberOfSeats": "seats"}
# Which group a figure is broken down by.
GROUPINGS = ("party", "trade", "trade-union", "factory", "workshop", "constituency", "origin", "district")


class QuantityError(ValueError):
    pass


@dataclass(frozen=True)
class Quantity:
    amount: int | None = None
    lower: int | None = None
    upper: int | None = None
    lower_exclusive: bool = False
    upper_exclusive: bool = False
    approximate: bool = False
    written: str | None = None

    @property
    def exact(self) -> bool:
        """An exact amount: no bounds, not approximate (only this becomes a plain number)."""
        return self.amount is not None and not self.approximate


def _whole(raw, key) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise QuantityError(f"{key} {raw!r} is not a whole number (write 2000, not '2,000' or 'about 2000')")
    if raw < 0:
        raise QuantityError(f"{key} cannot be negative")
    return raw


def parse_quantity(raw, approximate: bool = False) -> Quantity:
    """A whole number (exact) or a mapping {amount | lower/upper, exclusive flags, approximate, written}."""
    if not isinstance(raw, dict):
        return Quantity(amount=_whole(raw, "value"), approximate=approximate)
    unknown = set(raw) - set(QUANTITY_KEYS)
    if unknown:
        raise QuantityError(f"unknown key(s) {', '.join(sorted(unknown))} in a quantity; "
                            f"known: {', '.join(QUANTITY_KEYS)}")
    flags = {}
    for key in ("lower_exclusive", "upper_exclusive", "approximate"):
        if key in raw and not isinstance(raw[key], bool):
            raise QuantityError(f"{key} is true or false")
        flags[key] = bool(raw.get(key, False))
    amount = _whole(raw["amount"], "amount") if "amount" in raw else None
    lower = _whole(raw["lower"], "lower") if "lower" in raw else None
    upper = _whole(raw["upper"], "upper") if "upper" in raw else None
    if amount is None and lower is None and upper is None:
        raise QuantityError("a quantity gives an 'amount', or bounds 'lower' and/or 'upper'")
    if amount is not None and (lower is not None or upper is not None):
        raise QuantityError("give an 'amount' or bounds, not both (a range has no amount)")
    if flags["lower_exclusive"] and lower is None:
        raise QuantityError("lower_exclusive needs a 'lower' bound")
    if flags["upper_exclusive"] and upper is None:
        raise QuantityError("upper_exclusive needs an 'upper' bound")
    if lower is not None and upper is not None and (
            lower > upper or (lower == upper and (flags["lower_exclusive"] or flags["upper_exclusive"]))):
        raise QuantityError(f"the lower bound {lower} is not below the upper bound {upper}")
    written = raw.get("written")
    if written is not None and (not isinstance(written, str) or not written.strip()):
        raise QuantityError("written is the figure in the words of the quote")
    return Quantity(amount, lower, upper, flags["lower_exclusive"], flags["upper_exclusive"],
                    flags["approximate"] or approximate, written)
