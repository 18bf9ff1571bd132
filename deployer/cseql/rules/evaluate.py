"""Rule-type evaluation: match, threshold, chain, aggregation, first-seen and outlier over records.

Owns grouping, windows, baselines, signal construction and the explain trace; it does not parse or
evaluate single expressions (deployer.cseql does) and knows nothing of fixtures or API payloads.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from deployer.cseql.ast import Expr
from deployer.cseql.evaluate import compile_expression, is_true
from deployer.cseql.functions import to_number
from deployer.cseql.parser import parse
from deployer.cseql.templates import render_template

from .model import RuleResult, Signal, detection_defaults, duration_ms, record_time

Record = Mapping[str, Any]
Item = tuple[int, int, Record]  # (epoch ms, index in the fixture, record)


@lru_cache(maxsize=4096)
def _compiled(text: str) -> Callable[[Record], Any]:
    expr: Expr = parse(text)
    return compile_expression(expr)


def _value(text: str, record: Record) -> Any:
    return _compiled(text)(record)


def _holds(text: str, record: Record) -> bool:
    return is_true(_value(text, record))


class _Rule:
    """One `cse` block with its defaults applied, plus the trace being written."""

    def __init__(self, cse: Mapping, detection: Any, explain: bool) -> None:
        defaults = detection_defaults(detection) if detection is not None else {}
        self.cse = {**defaults, **cse}
        self.type: str = self.cse["type"]
        self.explain = explain
        self.trace: list[str] = []

    def note(self, line: str) -> None:
        if self.explain:
            self.trace.append(line)

    def get(self, key: str, default: Any = None) -> Any:
        return self.cse.get(key, default)

    @property
    def window_ms(self) -> int:
        return duration_ms(self.cse["window"])

    def group_key(self, record: Record, fields: Sequence[str] | None = None) -> tuple:
        names = self.get("group_by", []) if fields is None else fields
        return tuple(_value(name, record) for name in names)

    def group_label(self, key: tuple, fields: Sequence[str] | None = None) -> dict:
        names = self.get("group_by", []) if fields is None else fields
        return dict(zip(names, key, strict=True))

    def score(self, record: Record) -> int:
        spec = self.get("score", 0)
        if isinstance(spec, int):
            return spec
        default = spec.get("default", 0)
        value = _value(spec["field"], record)
        if "mapping" not in spec:
            number = to_number(value)
            return int(number) if number is not None else default
        for entry in spec["mapping"]:
            if value is not None and str(entry["from"]).lower() == str(value).lower():
                return entry["to"]
        return default

    def entities(self, records: Iterable[Record]) -> list[dict]:
        found: list[dict] = []
        for selector in self.get("entity_selectors", []):
            for record in records:
                value = _value(selector["expression"], record)
                entity = {"entity_type": selector["entity_type"], "value": value}
                if value not in (None, "") and entity not in found:
                    found.append(entity)
        return found

    def signal(
        self, items: Sequence[Item], *, group: dict | None = None, values: dict | None = None
    ) -> Signal | None:
        """A signal for these records, or None (with a trace line) when no entity selector has a value."""
        records = [record for _, _, record in items]
        context = {**records[-1], **(group or {}), **(values or {})}
        entities = self.entities(records)
        indexes = tuple(index for _, index, _ in items)
        if self.get("entity_selectors") and not entities:
            self.note(f"  records {list(indexes)}: no entity selector field has a value, so no signal")
            return None
        if self.type in ("threshold", "chain"):
            name = self.get("name_expression", "")  # the API names these signals after the rule
        else:
            name = render_template(self.get("name_expression", ""), context)
        return Signal(
            name=name,
            summary=render_template(self.get("summary_expression", ""), context),
            description=render_template(self.get("description_expression", ""), context),
            score=self.score(context),
            entities=tuple(entities),
            records=indexes,
            tags=tuple(self.get("tags", [])),
            group=dict(group or {}),
            values=dict(values or {}),
        )


def _matching(
    rule: _Rule, expression: str, records: Sequence[Record], label: str = "expression"
) -> list[Item]:
    items = [(record_time(r), i, r) for i, r in enumerate(records) if _holds(expression, r)]
    items.sort(key=lambda item: (item[0], item[1]))
    rule.note(f"{label}: {len(items)} of {len(records)} record(s) match: {[i for _, i, _ in items]}")
    return items


def _groups(
    rule: _Rule, items: Iterable[Item], fields: Sequence[str] | None = None
) -> dict[tuple, list[Item]]:
    groups: dict[tuple, list[Item]] = {}
    for item in items:
        groups.setdefault(rule.group_key(item[2], fields), []).append(item)
    return groups


def _within(items: Sequence[Item], start: int, window_ms: int) -> list[Item]:
    """The records from `start` that fall inside one window anchored at it."""
    return [item for item in items[start:] if item[0] - items[start][0] < window_ms]


def _scan(items: Sequence[Item], window_ms: int, fires: Callable[[list[Item]], bool]) -> list[list[Item]]:
    """Windows that fire: anchored at each record, growing while within `window_ms`, firing as soon as
    `fires` holds; after a firing the next window starts after its last record."""
    fired: list[list[Item]] = []
    start = 0
    while start < len(items):
        inside: list[Item] = []
        fired_at = None
        for position in range(start, len(items)):
            if items[position][0] - items[start][0] >= window_ms:
                break
            inside.append(items[position])
            if fires(inside):
                fired_at = position
                break
        if fired_at is None:
            start += 1
        else:
            fired.append(inside)
            start = fired_at + 1
    return fired


def _match(rule: _Rule, records: Sequence[Record], baseline: Sequence[Record]) -> list[Signal]:
    signals = []
    for item in _matching(rule, rule.cse["expression"], records):
        signal = rule.signal([item])
        if signal is not None:
            signals.append(signal)
    return signals


def _threshold(rule: _Rule, records: Sequence[Record], baseline: Sequence[Record]) -> list[Signal]:
    limit, distinct, window = rule.cse["limit"], rule.get("count_distinct"), rule.window_ms

    def count(inside: list[Item]) -> int:
        if distinct is None:
            return len(inside)
        return len({_value(distinct, r) for _, _, r in inside} - {None})

    what = f"distinct {distinct}" if distinct else "records"
    signals = []
    for key, items in _groups(rule, _matching(rule, rule.cse["expression"], records)).items():
        label = rule.group_label(key)
        windows = _scan(items, window, lambda inside: count(inside) >= limit)
        best = max((count(_within(items, s, window)) for s in range(len(items))), default=0)
        rule.note(
            f"group {label}: {best} {what} within {rule.cse['window']} (limit {limit})"
            + (f", fired {len(windows)} time(s)" if windows else ", not reached")
        )
        for inside in windows:
            signal = rule.signal(inside, group=label, values={"count": count(inside)})
            if signal is not None:
                signals.append(signal)
    return signals


def _chain_progress(stages: Sequence[dict], ordered: bool, inside: Sequence[Item]) -> list[int]:
    """Per stage, how many records counted toward its limit (ordered: each stage only after the previous)."""
    counts = [0] * len(stages)
    current = 0
    for _, _, record in inside:
        if ordered:
            if current < len(stages) and _holds(stages[current]["expression"], record):
                counts[current] += 1
                if counts[current] >= stages[current].get("limit", 1):
                    current += 1
        else:
            for number, stage in enumerate(stages):
                if _holds(stage["expression"], record):
                    counts[number] += 1
    return counts


def _chain(rule: _Rule, records: Sequence[Record], baseline: Sequence[Record]) -> list[Signal]:
    stages, ordered, window = rule.cse["expressions"], bool(rule.get("ordered", False)), rule.window_ms
    limits = [stage.get("limit", 1) for stage in stages]
    items = []
    for number, stage in enumerate(stages, start=1):
        items += _matching(
            rule, stage["expression"], records, label=f"stage {number} (limit {stage.get('limit', 1)})"
        )
    items = sorted({item[1]: item for item in items}.values(), key=lambda item: (item[0], item[1]))

    def done(inside: list[Item]) -> bool:
        return all(c >= n for c, n in zip(_chain_progress(stages, ordered, inside), limits, strict=True))

    signals = []
    for key, group_items in _groups(rule, items).items():
        label = rule.group_label(key)
        windows = _scan(group_items, window, done)
        if windows:
            rule.note(
                f"group {label}: every stage reached its limit within {rule.cse['window']}"
                f"{' in order' if ordered else ''}, fired {len(windows)} time(s)"
            )
        else:
            best = max(
                (
                    _chain_progress(stages, ordered, _within(group_items, s, window))
                    for s in range(len(group_items))
                ),
                key=sum,
                default=[0] * len(stages),
            )
            progress = ", ".join(
                f"stage {n}: {c}/{lim}" for n, (c, lim) in enumerate(zip(best, limits, strict=True), 1)
            )
            rule.note(
                f"group {label}: best window of {rule.cse['window']}{' (ordered)' if ordered else ''}: {progress}"
            )
        for inside in windows:
            signal = rule.signal(inside, group=label)
            if signal is not None:
                signals.append(signal)
    return signals


def aggregate(function: str, arguments: Sequence[str], records: Sequence[Record]) -> Any:
    """One aggregation function over records; arguments are expressions (usually field names)."""
    values = [tuple(_value(a, r) for a in arguments) if arguments else (True,) for r in records]
    present = [v if len(v) > 1 else v[0] for v in values if all(x is not None for x in v)]
    if function == "count":
        return len(present)
    if function == "count_distinct":
        return len(set(present))
    if function in ("first", "last"):
        return (present[0] if function == "first" else present[-1]) if present else None
    numbers = [n for n in (to_number(v) for v in present) if n is not None]
    if not numbers:
        return None
    return {"sum": sum, "min": min, "max": max, "avg": lambda ns: sum(ns) / len(ns)}[function](numbers)


def _aggregates(rule: _Rule, inside: Sequence[Item]) -> dict[str, Any]:
    records = [record for _, _, record in inside]
    return {
        spec["name"]: aggregate(spec["function"], spec.get("arguments", []), records)
        for spec in rule.cse["aggregations"]
    }


def _aggregation(rule: _Rule, records: Sequence[Record], baseline: Sequence[Record]) -> list[Signal]:
    window, trigger = rule.window_ms, rule.cse["trigger"]
    fields = list(rule.get("group_by", []))
    if rule.get("group_by_entity"):
        fields += [s["expression"] for s in rule.get("entity_selectors", []) if s["expression"] not in fields]
    signals = []
    for key, items in _groups(rule, _matching(rule, rule.cse["expression"], records), fields).items():
        label = rule.group_label(key, fields)
        start, fired = 0, 0
        while start < len(items):
            inside = _within(items, start, window)
            values = _aggregates(rule, inside)
            if _holds(trigger, {**label, **values}):
                rule.note(
                    f"group {label}: {values} over {len(inside)} record(s): trigger `{trigger}` is true"
                )
                signal = rule.signal(inside, group=label, values=values)
                if signal is not None:
                    signals.append(signal)
                fired += 1
                start += len(inside)
            else:
                if start == 0:
                    rule.note(
                        f"group {label}: {values} over {len(inside)} record(s): trigger `{trigger}` is false"
                    )
                start += 1
        if not fired and len(items) > 1:
            rule.note(f"group {label}: no window of {rule.cse['window']} satisfied the trigger")
    return signals


def _first_seen_fields(rule: _Rule) -> list[str]:
    if rule.get("baseline_type", "per-entity" if rule.get("group_by") else "global") == "global":
        return []
    return list(rule.get("group_by") or [s["expression"] for s in rule.get("entity_selectors", [])])


def _first_seen_value(rule: _Rule, record: Record) -> Any:
    if "value_expression" in rule.cse:
        return _value(rule.cse["value_expression"], record)
    values = tuple(_value(name, record) for name in rule.cse["value_fields"])
    return None if all(v is None for v in values) else values


def _first_seen(rule: _Rule, records: Sequence[Record], baseline: Sequence[Record]) -> list[Signal]:
    fields = _first_seen_fields(rule)
    current = _matching(rule, rule.cse["expression"], records)
    learned = _matching(rule, rule.cse["expression"], baseline, label="baseline")
    if current and learned:
        oldest = current[0][0] - duration_ms(rule.cse["retention_window"])
        kept = [item for item in learned if item[0] == 0 or item[0] >= oldest]
        if len(kept) < len(learned):
            rule.note(
                f"baseline: {len(learned) - len(kept)} record(s) older than the retention window "
                f"({rule.cse['retention_window']}) are forgotten"
            )
        learned = kept
    seen: dict[tuple, set] = {}
    for _, _, record in learned:
        value = _first_seen_value(rule, record)
        if value is not None:
            seen.setdefault(rule.group_key(record, fields), set()).add(value)
    scope = f"per {fields}" if fields else "global"
    rule.note(
        f"baseline ({scope}): "
        + (
            "; ".join(f"{rule.group_label(k, fields)}: {sorted(map(str, v))}" for k, v in seen.items())
            or "empty"
        )
    )
    signals = []
    for item in current:
        record = item[2]
        key, value = rule.group_key(record, fields), _first_seen_value(rule, record)
        if value is None:
            rule.note(f"record {item[1]}: no value, skipped")
            continue
        known = seen.setdefault(key, set())
        if value in known:
            rule.note(
                f"record {item[1]}: {value!r} already seen for {rule.group_label(key, fields) or 'all'}"
            )
            continue
        known.add(value)
        rule.note(f"record {item[1]}: {value!r} first seen for {rule.group_label(key, fields) or 'all'}")
        signal = rule.signal([item], group=rule.group_label(key, fields), values={"value": value})
        if signal is not None:
            signals.append(signal)
    return signals


def _buckets(rule: _Rule, items: Sequence[Item], window: int) -> dict[tuple, dict[int, list[Item]]]:
    out: dict[tuple, dict[int, list[Item]]] = {}
    for key, group_items in _groups(rule, items).items():
        for item in group_items:
            out.setdefault(key, {}).setdefault(item[0] // window, []).append(item)
    return out


def _outlier(rule: _Rule, records: Sequence[Record], baseline: Sequence[Record]) -> list[Signal]:
    window = rule.window_ms
    spec = rule.cse["aggregation"]
    function, arguments = spec["function"], spec.get("arguments", [])
    deviations, floor = rule.cse["deviation_threshold"], rule.cse["floor"]
    counting = function in ("count", "count_distinct", "sum")

    def value_of(bucket: Sequence[Item]) -> float:
        result = aggregate(function, arguments, [r for _, _, r in bucket])
        return float(result or 0)

    history = _buckets(rule, _matching(rule, rule.cse["expression"], baseline, label="baseline"), window)
    signals = []
    for key, buckets in _buckets(rule, _matching(rule, rule.cse["expression"], records), window).items():
        label = rule.group_label(key)
        past = history.get(key)
        if not past:
            rule.note(f"group {label}: no baseline, so no signal")
            continue
        span = range(min(past), max(past) + 1) if counting else sorted(past)
        series = [value_of(past.get(b, [])) for b in span]
        mean = sum(series) / len(series)
        stddev = math.sqrt(sum((v - mean) ** 2 for v in series) / len(series))
        limit = mean + deviations * stddev
        for bucket in sorted(buckets):
            inside = buckets[bucket]
            current = value_of(inside)
            fires = current > limit and current >= floor
            rule.note(
                f"group {label}: {function} = {current:g} vs baseline mean {mean:g} + {deviations} x "
                f"stddev {stddev:g} = {limit:g} over {len(series)} window(s), floor {floor}: "
                + ("outlier" if fires else "normal")
            )
            if fires:
                values = {"current": current, "mean": mean, "stddev": stddev}
                signal = rule.signal(inside, group=label, values=values)
                if signal is not None:
                    signals.append(signal)
    return signals


_TYPES: dict[str, Callable[[_Rule, Sequence[Record], Sequence[Record]], list[Signal]]] = {
    "match": _match,
    "threshold": _threshold,
    "chain": _chain,
    "aggregation": _aggregation,
    "first-seen": _first_seen,
    "outlier": _outlier,
}


def _suppress(rule: _Rule, signals: list[Signal], records: Sequence[Record]) -> list[Signal]:
    """Drop a signal whose every entity already had a signal within the suppression window."""
    window = duration_ms(rule.cse["suppression_window"])
    last_seen: dict[tuple, int] = {}
    kept = []
    for signal in signals:
        when = max(record_time(records[i]) for i in signal.records)
        keys = [(e["entity_type"], str(e["value"])) for e in signal.entities]
        if keys and all(k in last_seen and when - last_seen[k] < window for k in keys):
            rule.note(f"records {list(signal.records)}: suppressed ({rule.cse['suppression_window']} window)")
            continue
        last_seen.update(dict.fromkeys(keys, when))
        kept.append(signal)
    return kept


def evaluate_rule(
    cse: Mapping,
    records: Sequence[Record],
    *,
    baseline: Sequence[Record] = (),
    explain: bool = False,
    detection: Any = None,
) -> RuleResult:
    """Run one `cse` block over normalized records (and baseline records, for first-seen / outlier).

    `detection` (a Detection or its data) supplies the defaults the content format documents: signal
    name and description, score from severity/confidence, category. Raises ExpressionSyntaxError for
    an expression that does not parse (`validate` reports those first).
    """
    rule = _Rule(cse, detection, explain)
    rule.note(
        f"{rule.type} rule over {len(records)} record(s)"
        + (f", {len(baseline)} baseline" if baseline else "")
    )
    if rule.get("tuning_expressions"):
        rule.note(
            f"tuning expressions {rule.get('tuning_expressions')} live in the tenant: not applied offline"
        )
    signals = _TYPES[rule.type](rule, list(records), list(baseline))
    if signals and rule.get("suppression_window"):
        signals = _suppress(rule, signals, records)
    rule.note(f"{len(signals)} signal(s)")
    return RuleResult(rule.type, tuple(signals), tuple(rule.trace))
