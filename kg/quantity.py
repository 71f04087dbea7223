"""Quantities as the texts give them, after Wikidata's model: an amount or bounds, and how exact.

"between two and three thousand" is a range, not 2000; "no more than 25" an upper bound;
"some 2,500" an approximate amount. Only an exact amount becomes a plain number in the graph
(https://www.wikidata.org/wiki/Help:Data_type#Quantity: amount, lowerBound, upperBound).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

QUANTITY_KEYS = ("amount", "lower", "upper", "lower_exclusive", "upper_exclusive", "approximate", "written")

# What a number counts, and the default for each number predicate (`count` has none: say it).
COUNTED = ("deputies", "members", "workers", "delegates", "seats", "participants", "victims",
           "alternates", "persons", "soviets", "constituencies", "factories", "leaflets", "meetings",
           "copies", "issues")
DEFAULT_COUNTED = {"numberOfDeputies": "deputies", "workersRepresented": "workers",
                   "executiveCommitteeSize": "members", "numberOfMembers": "members",
                   "numberOfParticipants": "participants", "numberOfVictims": "victims",
                   "numberOfDelegates": "delegates", "numberOfSeats": "seats"}
# The units of a duration, as Wikidata's quantities carry a unit ("a whole week": amount 1, week),
# each with its xsd:duration form when the amount is exact (a week is seven days: XSD has no weeks).
TIME_UNITS = {"day": ("D", 1), "week": ("D", 7), "month": ("M", 1), "year": ("Y", 1)}
# Which group a figure is broken down by.
GROUPINGS = ("party", "trade", "trade-union", "factory", "workshop", "constituency", "origin", "district")


class QuantityError(ValueError):
    pass


@dataclass(frozen=True)
class Quantity:
    amount: int | Decimal | None = None
    lower: int | Decimal | None = None
    upper: int | Decimal | None = None
    lower_exclusive: bool = False
    upper_exclusive: bool = False
    approximate: bool = False
    written: str | None = None
    time_unit: str | None = None   # a duration's unit (TIME_UNITS); None for a count or a share

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


def _percent(raw, key) -> int | Decimal:
    """A share in per cent, 0 to 100; a decimal is read from its digits (33.3 stays 33.3, not a float)."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise QuantityError(f"{key} {raw!r} is not a number of per cent (write 40 or 33.3)")
    try:
        value = raw if isinstance(raw, int) else Decimal(str(raw))
    except InvalidOperation:
        raise QuantityError(f"{key} {raw!r} is not a number of per cent (write 40 or 33.3)") from None
    if not 0 <= value <= 100:
        raise QuantityError(f"{key} {raw!r} is not between 0 and 100 per cent")
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return value


def parse_duration(raw) -> Quantity:
    """A duration: a quantity mapping with its `unit` (day, week, month, year), e.g. {amount: 1, unit: week}."""
    if not isinstance(raw, dict) or "unit" not in raw:
        raise QuantityError("a duration is a mapping with its unit: {amount: 1, unit: week, written: \"a whole week\"}")
    if raw["unit"] not in TIME_UNITS:
        raise QuantityError(f"unknown unit {raw['unit']!r} of a duration; known: {', '.join(TIME_UNITS)}")
    q = parse_quantity({k: v for k, v in raw.items() if k != "unit"})
    return Quantity(q.amount, q.lower, q.upper, q.lower_exclusive, q.upper_exclusive, q.approximate, q.written,
                    raw["unit"])


def xsd_duration(q: Quantity) -> str | None:
    """An exact duration as xsd:duration ('P7D' for one week); None when it is not exact."""
    if not q.exact or q.time_unit is None:
        return None
    designator, factor = TIME_UNITS[q.time_unit]
    return f"P{q.amount * factor}{designator}"


def parse_quantity(raw, approximate: bool = False, percent: bool = False) -> Quantity:
    """A whole number (exact) or a mapping {amount | lower/upper, exclusive flags, approximate, written}.

    With `percent` (a share), numbers are per cent and may have decimals.
    """
    number = _percent if percent else _whole
    if not isinstance(raw, dict):
        return Quantity(amount=number(raw, "value"), approximate=approximate)
    unknown = set(raw) - set(QUANTITY_KEYS)
    if unknown:
        raise QuantityError(f"unknown key(s) {', '.join(sorted(unknown))} in a quantity; "
                            f"known: {', '.join(QUANTITY_KEYS)}")
    flags = {}
    for key in ("lower_exclusive", "upper_exclusive", "approximate"):
        if key in raw and not isinstance(raw[key], bool):
            raise QuantityError(f"{key} is true or false")
        flags[key] = bool(raw.get(key, False))
    amount = number(raw["amount"], "amount") if "amount" in raw else None
    lower = number(raw["lower"], "lower") if "lower" in raw else None
    upper = number(raw["upper"], "upper") if "upper" in raw else None
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
