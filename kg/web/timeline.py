"""An entity's dated facts as a small timeline: one entry per statement (a start and an end make one
bar), placed on a Gregorian axis and drawn with plain HTML and CSS, so it needs no script."""

from __future__ import annotations

from datetime import date

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
MAX_LANES = 8
MARK_WIDTH = 1.6        # per cent of the axis a point marker takes, for stacking


def day(value: str) -> date:
    y, m, d = (value.split("T")[0].split("-") + ["1", "1"])[:3]
    return date(int(y), int(m), int(d))


def human(value: str | None) -> str:
    """'1905-10-26' → '26 Oct 1905', '1905-10' → 'Oct 1905', '1905' → '1905'."""
    if not value:
        return ""
    parts = value.split("-")
    if len(parts) == 3 and all(parts):
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return value


def calendar_name(iri: str) -> str:
    return {"Q1985786": "Julian", "Q1985727": "Gregorian"}.get(iri.rsplit("/", 1)[-1], "calendar not stated")


def when(d: dict) -> dict:
    """How one date reads: its Gregorian value (or range), and as the source wrote it."""
    greg, orig = d.get("greg"), d.get("orig")
    if greg:
        text = human(greg)
    elif orig and len(orig.split("-")) < 3:
        # a Julian or open-calendar month or year: its own reading (the axis uses its exact bounds)
        text = f"{human(orig)} ({calendar_name(d.get('cal', ''))})"
    elif not d.get("from"):
        text = f"by {human(d['latest'])}"
    elif not d.get("by"):
        text = f"from {human(d['earliest'])}"
    else:
        text = f"{human(d['earliest'])} – {human(d['latest'])}"
    return {"text": text, "written": d.get("written") or d.get("orig"), "values": {greg, d.get("orig")},
            "calendar": calendar_name(d.get("cal", "")), "julian": d.get("cal", "").endswith("Q1985786")}


def ticks(lo: date, hi: date) -> list[dict]:
    """Axis labels: months for a span of up to two years, else years (at most about a dozen)."""
    total = (hi - lo).days or 1
    out = []
    if total <= 800:
        y, m = lo.year, lo.month
        step = 1 if total <= 200 else 3
        while date(y, m, 1) <= hi:
            t = date(y, m, 1)
            if t >= lo and (m - 1) % step == 0:
                out.append({"pos": 100 * (t - lo).days / total, "label": f"{MONTHS[m - 1]} {y}" if m == 1 or not out
                            else MONTHS[m - 1]})
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    else:
        years = range(lo.year + (lo.month > 1 or lo.day > 1), hi.year + 1)
        step = max(1, len(years) // 12 + 1)
        out = [{"pos": 100 * (date(y, 1, 1) - lo).days / total, "label": str(y)} for y in years if y % step == 0]
    return out


def entity_timeline(iri: str, facts: list[dict]) -> dict | None:
    """The timeline of the facts about `iri` that carry dates, or None when none do."""
    entries = []
    for f in facts:
        if not f["dates"]:
            continue
        ends = [d for d in f["dates"] if d["qual"].endswith("#endTime")]
        starts = [d for d in f["dates"] if d not in ends] or ends
        first = min(starts, key=lambda d: d["earliest"])
        last = max(ends, key=lambda d: d["latest"]) if ends and starts is not ends else None
        lo, hi = day(first["earliest"]), day((last or first)["latest"])
        entries.append({"fact": f, "start": when(first), "end": when(last) if last else None,
                        "qualifier": first.get("qlabel") if first["qual"].rsplit("#", 1)[-1] not in
                        ("dateValue", "pointInTime", "startTime") else None,
                        "lo": lo, "hi": hi, "self_subject": f["subject"] == iri,
                        "source_short": f["source"].rstrip("/").rsplit("/", 1)[-1].replace("-", " ").title(),
                        "self_object": f.get("object") == iri})
    if not entries:
        return None
    entries.sort(key=lambda e: (e["lo"], e["hi"], e["fact"]["source"]))
    lo = min(e["lo"] for e in entries)
    hi = max(e["hi"] for e in entries)
    if (hi - lo).days < 60:                  # a single day still gets a readable axis
        pad = (60 - (hi - lo).days) // 2
        lo, hi = date.fromordinal(lo.toordinal() - pad), date.fromordinal(hi.toordinal() + pad)
    total = (hi - lo).days or 1
    lanes: list[float] = []
    for n, e in enumerate(entries, 1):
        e["n"] = n
        e["left"] = 100 * (e["lo"] - lo).days / total
        e["width"] = max(100 * (e["hi"] - e["lo"]).days / total, 0)
        e["bar"] = e["width"] > MARK_WIDTH
        right = e["left"] + max(e["width"], MARK_WIDTH)
        lane = next((i for i, end in enumerate(lanes) if end <= e["left"]), None)
        if lane is None and len(lanes) < MAX_LANES:
            lanes.append(0.0)
            lane = len(lanes) - 1
        elif lane is None:                   # full: the lane that frees first
            lane = min(range(len(lanes)), key=lanes.__getitem__)
        lanes[lane] = right
        e["lane"] = lane
    # A label past 92 % of the axis would be cut at its right edge.
    return {"entries": entries, "ticks": [t for t in ticks(lo, hi) if t["pos"] <= 92], "lanes": len(lanes),
            "from": human(lo.isoformat()), "to": human(hi.isoformat())}
