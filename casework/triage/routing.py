"""Routing rules as data: which rule a request meets, and why. Pure: no database, no Flask.

Triage and the admins' "what would this change do?" test both ask here, so
the rule a person tests is the rule the worker applies.
"""
import re
from dataclasses import dataclass, field

WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class District:
    """An area, by postcodes and/or a polygon of (lat, long) corners."""

    name: str
    postcodes: tuple[str, ...] = ()
    polygon: tuple[tuple[float, float], ...] = ()

    def contains(self, facts):
        """True when the request's address names one of the postcodes or its point is inside the polygon."""
        if facts.address and any(postcode_in(code, facts.address) for code in self.postcodes):
            return True
        if facts.lat is not None and facts.long is not None and len(self.polygon) >= 3:
            return point_in_polygon(facts.lat, facts.long, self.polygon)
        return False


@dataclass(frozen=True)
class RequestFacts:
    """What routing may look at in a request."""

    service_id: int
    service_name: str
    description: str
    answers: dict = field(default_factory=dict)
    address: str | None = None
    lat: float | None = None
    long: float | None = None
    channel: str = "web"
    language: str = "en"

    @property
    def words(self):
        return set(WORD.findall(self.description.lower()))


@dataclass(frozen=True)
class Rule:
    """One routing rule: conditions (all must hold; an empty one always holds) and an outcome."""

    name: str
    queue_id: int
    priority: str = "normal"
    id: int | None = None
    service_id: int | None = None
    service_name: str = ""
    keywords: tuple[str, ...] = ()
    answer_code: str | None = None
    answer_value: str | None = None
    district: District | None = None
    channel: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    resolution_hours: int | None = None

    def reasons(self, facts):
        """Return why this rule matches ``facts`` (a list of phrases), or None if it does not."""
        reasons = []
        if self.service_id is not None:
            if self.service_id != facts.service_id:
                return None
            reasons.append(f"the service is {self.service_name or facts.service_name}")
        if self.keywords:
            found = [word for word in self.keywords if word in facts.words]
            if not found:
                return None
            reasons.append("the description mentions " + ", ".join(f"“{word}”" for word in found))
        if self.answer_code:
            given = facts.answers.get(self.answer_code)
            values = given if isinstance(given, list) else [given]
            if self.answer_value not in [str(value) for value in values if value is not None]:
                return None
            reasons.append(f"the answer to “{self.answer_code}” is “{self.answer_value}”")
        if self.district is not None:
            if not self.district.contains(facts):
                return None
            reasons.append(f"the place is in {self.district.name}")
        if self.channel:
            if facts.channel != self.channel:
                return None
            reasons.append(f"it came by {self.channel}")
        if self.language:
            if facts.language != self.language:
                return None
            reasons.append(f"the citizen's language is {self.language}")
        return reasons or ["it applies to every request"]


def first_match(rules, facts):
    """Return ``(rule, reasons)`` for the first of ``rules`` (already in order) that matches, or ``(None, [])``."""
    for rule in rules:
        reasons = rule.reasons(facts)
        if reasons is not None:
            return rule, reasons
    return None, []


def explain(rule, reasons):
    return f"Rule “{rule.name}” matched because {' and '.join(reasons)}."


def keywords_from(text):
    """Normalise an admin's keyword list ("Sinkhole, collapse") to lower-case words."""
    return tuple(dict.fromkeys(WORD.findall((text or "").lower())))


def postcode_in(postcode, address):
    """True when ``postcode`` appears in ``address`` as a whole token, ignoring case and spacing."""
    pattern = r"\s*".join(re.escape(part) for part in postcode.upper().split())
    return re.search(rf"(?<![\w]){pattern}(?![\w])", address.upper()) is not None


def point_in_polygon(lat, long, polygon):
    """Ray casting: True when (lat, long) lies inside ``polygon``; points on an edge may go either way."""
    inside = False
    corners = list(polygon)
    for (lat1, long1), (lat2, long2) in zip(corners, corners[1:] + corners[:1]):
        if (long1 > long) != (long2 > long):
            crossing = lat1 + (long - long1) * (lat2 - lat1) / (long2 - long1)
            if lat < crossing:
                inside = not inside
    return inside


@dataclass(frozen=True)
class Outcome:
    """What routing decides for a request: its queue, priority, tags and the rule's own resolution target."""

    queue_id: int | None
    priority: str
    tags: tuple[str, ...]
    resolution_hours: int | None


def outcome_of(rule, facts, default_queue_for):
    if rule is None:
        return Outcome(default_queue_for(facts), "normal", (), None)
    return Outcome(rule.queue_id, str(rule.priority), tuple(rule.tags), rule.resolution_hours)


def outcome_changes(current_rules, draft_rules, requests, default_queue_for):
    """Compare what ``requests`` (pairs of ``(label, facts)``) get under two rule sets.

    ``default_queue_for(facts)`` gives the queue when no rule matches. Returns
    ``(label, before, after)`` with the two ``Outcome``s of every request for
    which anything would differ: queue, priority, tags or resolution target.
    """
    changed = []
    for label, facts in requests:
        before = outcome_of(first_match(current_rules, facts)[0], facts, default_queue_for)
        after = outcome_of(first_match(draft_rules, facts)[0], facts, default_queue_for)
        if before != after:
            changed.append((label, before, after))
    return changed
