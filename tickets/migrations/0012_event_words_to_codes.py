"""Read the words of the old ticket events back into codes.

Until 0011 an event kept the display labels of what it changed ("Open", "处理中", "Tier 2") and the system's
reasons ("The customer replied.", "客户已回复。") in the language of whoever caused it, so the timeline was
frozen in that language. Those words came from known gettext templates in English or Simplified Chinese; the
tables below hold them as the catalogues wrote them (frozen here, so a later edit of a translation does not
change what this migration reads). Each row gets its ``values`` (see ``tickets.models.Event``); a row whose words
are not in the tables keeps them in ``values["legacy"]``, shown as they are, and a reason nobody's template
wrote is what a person typed, kept as written. Going back writes the English words.
"""

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import migrations

BATCH = 1000

# code: (English, Simplified Chinese), as the catalogues wrote them.
STATUS = {
    "new": ("New", "新建"),
    "open": ("Open", "处理中"),
    "waiting": ("Waiting on customer", "等待客户回复"),
    "resolved": ("Resolved", "已解决"),
    "closed": ("Closed", "已关闭"),
}
PRIORITY = {
    1: ("P1 · System down", "P1 · 系统宕机"),
    2: ("P2 · Major function impaired", "P2 · 主要功能受损"),
    3: ("P3 · Minor problem", "P3 · 小问题"),
    4: ("P4 · Question or suggestion", "P4 · 咨询或建议"),
}
TIER = {1: ("Tier 1", "一线支持"), 2: ("Tier 2", "二线支持"), 3: ("Tier 3", "三线支持")}
CHANNEL = {
    "web": ("Web form", "网页表单"),
    "self-service": ("Self-service escalation", "自助服务升级"),
    "community": ("Community", "社区"),
    "api": ("API", "API"),
    "email": ("E-mail", "电子邮件"),
}
# The SLA job wrote its clock's name untranslated; the Chinese words in case a worker ran in Chinese.
CLOCK = {"first-response": ("first response", "首次响应"), "resolution": ("resolution", "解决")}
CAUSE = {
    "customer-replied": ("The customer replied.", "客户已回复。"),
    "customer-reopened": ("Reopened by the customer.", "由客户重新打开。"),
    "withdrawn": ("Withdrawn by the customer: solved by an article", "客户已撤回：文章解决了问题"),
    "auto-assigned": ("Automatic assignment", "自动分配"),
    "plan-changed": ("Plan changed", "服务套餐已变更"),
    "organisation-plan": ("The organisation moved to another plan.", "该组织已更换服务套餐。"),
    "service-levels": ("Service levels changed", "服务级别已变更"),
    "resolution-missed": ("Resolution target missed (SLA policy).", "未达到解决目标（SLA 策略）。"),
    "reopen-window": ("Closed after the reopen window.", "已超过可重新打开的期限，自动关闭。"),
}
DUE_AT = ("Due at %(due)s", "截止时间：%(due)s")
NO_MOMENT = "—"
# Moments were written as strftime("%Y-%m-%d %H:%M %Z") in the writer's time zone.
MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) (\S+)$")
OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})?$")


def _by_words(table: dict) -> dict:
    return {words: code for code, both in table.items() for words in both}


STATUS_WORDS, PRIORITY_WORDS, TIER_WORDS = _by_words(STATUS), _by_words(PRIORITY), _by_words(TIER)
CHANNEL_WORDS, CLOCK_WORDS, CAUSE_WORDS = _by_words(CHANNEL), _by_words(CLOCK), _by_words(CAUSE)
CHANGE_WORDS = {"status": STATUS_WORDS, "priority": PRIORITY_WORDS, "tier": TIER_WORDS}
SLA_KINDS = ("sla-warning", "sla-breach")
DUE_AT_PATTERNS = [re.compile("^" + re.escape(template).replace(re.escape("%(due)s"), "(.+)") + "$") for template in DUE_AT]


class Moments:
    """Reads "2026-05-04 17:00 CEST" back into an instant: the abbreviation is tried against the zones the site
    could have written in (UTC, the site's and the organisations'), in that order; a numeric one is an offset."""

    def __init__(self, zone_names):
        self.zones = []
        for name in ["UTC", settings.TIME_ZONE, *sorted(set(zone_names))]:
            try:
                zone = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            if zone not in self.zones:
                self.zones.append(zone)

    def read(self, text: str):
        """An ISO 8601 instant in UTC, or None for "—"; raises ValueError when the words cannot be read."""
        text = text.strip()
        if text == NO_MOMENT:
            return None
        match = MOMENT.match(text)
        if not match:
            raise ValueError(text)
        naive, abbreviation = datetime.strptime(match[1], "%Y-%m-%d %H:%M"), match[2]
        offset = OFFSET.match(abbreviation)
        if offset:
            sign = -1 if offset[1] == "-" else 1
            zone = timezone(sign * timedelta(hours=int(offset[2]), minutes=int(offset[3] or 0)))
            return naive.replace(tzinfo=zone).astimezone(UTC).isoformat()
        for zone in self.zones:
            if naive.replace(tzinfo=zone).tzname() == abbreviation:
                return naive.replace(tzinfo=zone).astimezone(UTC).isoformat()
        raise ValueError(text)

    def read_pair(self, text: str) -> dict:
        first, resolution = text.split(" / ")
        return {"first_response": self.read(first), "resolution": self.read(resolution)}


def values_from_words(kind: str, before: str, after: str, reason: str, moments: Moments) -> dict:
    """The ``values`` of one old row."""
    try:
        values = _change(kind, before, after, reason, moments)
    except (KeyError, ValueError):
        values = {"legacy": {"from": before, "to": after}}
    if kind in SLA_KINDS and "due" in values:
        return values  # the reason was the due moment, read into "due"
    if reason.strip() in CAUSE_WORDS:
        values["cause"] = CAUSE_WORDS[reason.strip()]
    elif reason.strip():
        values["reason"] = reason
    return values


def _change(kind: str, before: str, after: str, reason: str, moments: Moments) -> dict:
    if kind == "created":
        return {"channel": CHANNEL_WORDS[after]}
    if kind in CHANGE_WORDS:
        words = CHANGE_WORDS[kind]
        return {"from": words[before], "to": words[after]}
    if kind == "assignee":
        return {"from": before or None, "to": after or None}
    if kind == "due":
        return {"from": moments.read_pair(before), "to": moments.read_pair(after)}
    if kind in SLA_KINDS:
        due = next((match[1] for pattern in DUE_AT_PATTERNS if (match := pattern.match(reason.strip()))), None)
        if due is None:
            raise ValueError(reason)
        return {"clock": CLOCK_WORDS[after], "due": moments.read(due)}
    if kind == "reopened" and not (before or after):
        return {}
    if kind == "article":
        return {"title": after}
    raise ValueError(kind)


def words_from_values(kind: str, values: dict) -> tuple[str, str, str]:
    """(from, to, reason) in English, for going back."""
    if "cause" in values:
        reason = CAUSE.get(values["cause"], (values["cause"],))[0]
    else:
        reason = values.get("reason", "")
    if "legacy" in values:
        return values["legacy"].get("from", ""), values["legacy"].get("to", ""), reason
    changes = {"status": STATUS, "priority": PRIORITY, "tier": TIER}
    if kind in changes:
        table = changes[kind]
        return table[values["from"]][0], table[values["to"]][0], reason
    if kind == "created":
        return "", CHANNEL.get(values.get("channel"), ("",))[0], reason
    if kind == "assignee":
        return values.get("from") or "", values.get("to") or "", reason
    if kind == "due":
        return _english_pair(values.get("from")), _english_pair(values.get("to")), reason
    if kind in SLA_KINDS:
        due = DUE_AT[0] % {"due": _english_moment(values.get("due"))}
        return "", CLOCK.get(values.get("clock"), ("",))[0], due
    if kind == "article":
        return "", values.get("title", ""), reason
    return "", "", reason


def _english_moment(value) -> str:
    if not value:
        return NO_MOMENT
    return datetime.fromisoformat(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _english_pair(due) -> str:
    due = due or {}
    return f"{_english_moment(due.get('first_response'))} / {_english_moment(due.get('resolution'))}"


def _batches(queryset, fields):
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def forwards(apps, schema_editor):
    event_model = apps.get_model("tickets", "Event")
    organisation_model = apps.get_model("tickets", "Organisation")
    moments = Moments(organisation_model.objects.values_list("time_zone", flat=True).distinct())
    for rows in _batches(event_model.objects.all(), ["kind", "from_value", "to_value", "reason"]):
        events = [
            event_model(pk=pk, values=values_from_words(kind, before, after, reason, moments))
            for pk, kind, before, after, reason in rows
        ]
        event_model.objects.bulk_update(events, ["values"])


def backwards(apps, schema_editor):
    event_model = apps.get_model("tickets", "Event")
    for rows in _batches(event_model.objects.all(), ["kind", "values"]):
        events = []
        for pk, kind, values in rows:
            before, after, reason = words_from_values(kind, values or {})
            events.append(event_model(pk=pk, from_value=before[:200], to_value=after[:200], reason=reason))
        event_model.objects.bulk_update(events, ["from_value", "to_value", "reason"])


class Migration(migrations.Migration):
    dependencies = [("tickets", "0011_event_values")]

    operations = [migrations.RunPython(forwards, backwards)]
