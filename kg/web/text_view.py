"""A source text as HTML: mentions linked to their entities, editorial parts marked, anchors at
every evidence passage, and an optional highlighted passage. Overlapping mentions keep the first."""

from __future__ import annotations

from markupsafe import Markup, escape


def render(text: str, mentions: list[dict], editorial: list[dict], anchors: list[int],
           highlight: tuple[int, int] | None, href) -> Markup:
    kept, last_end = [], -1
    for m in sorted(mentions, key=lambda m: (int(m["start"]), -int(m["end"]))):
        if int(m["start"]) >= last_end:
            kept.append(m)
            last_end = int(m["end"])
    cuts = {0, len(text)} | {int(m["start"]) for m in kept} | {int(m["end"]) for m in kept}
    cuts |= {int(e["start"]) for e in editorial} | {int(e["end"]) for e in editorial} | set(anchors)
    if highlight:
        cuts |= {max(0, highlight[0]), min(len(text), highlight[1])}
    cuts = sorted(c for c in cuts if 0 <= c <= len(text))
    anchor_set = set(anchors) | ({highlight[0]} if highlight else set())
    out = []
    mi = 0
    for a, b in zip(cuts, cuts[1:]):
        if a in anchor_set:
            out.append(Markup('<span class="anchor" id="c{}"></span>').format(a))
        piece = escape(text[a:b])
        while mi < len(kept) and int(kept[mi]["end"]) <= a:
            mi += 1
        m = kept[mi] if mi < len(kept) and int(kept[mi]["start"]) <= a < int(kept[mi]["end"]) else None
        if m and href(m["entity"]):
            piece = Markup('<a class="mention" href="{}" title="{}">{}</a>').format(
                href(m["entity"]), m.get("label") or m["entity"], piece)
        if highlight and highlight[0] <= a < highlight[1]:
            piece = Markup('<mark>{}</mark>').format(piece)
        ed = next((e for e in editorial if int(e["start"]) <= a < int(e["end"])), None)
        if ed:
            who = ed["by"].rsplit("#", 1)[-1].replace("Attribution", "").lower()
            piece = Markup('<span class="editorial" title="written by the {}">{}</span>').format(who, piece)
        out.append(piece)
    return Markup("").join(out)
