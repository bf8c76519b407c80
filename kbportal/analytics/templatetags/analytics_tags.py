from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

from ..charts import value_label
from ..registry import Unit

register = template.Library()


@register.filter
def metric_value(value, unit) -> str:
    """A figure as a manager reads it: 1,234 · 43.2% · 2 h 05 min · 3.24 · +12 · — when there is none."""
    if value is None:
        return "—"
    if unit == Unit.COUNT:
        return intcomma(value)
    if unit == Unit.PERCENT:
        return f"{value * 100:.1f}%"
    if unit == Unit.DURATION:
        return duration(value)
    if unit == Unit.NPS:
        return f"{int(value):+d}"
    return f"{value:.2f}"


def duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.filter
def cell_value(value, unit) -> str:
    """A table cell: like a figure, without thousands separators in durations."""
    return metric_value(value, unit) if unit != Unit.SCORE else value_label(value, unit)


@register.filter
def column_value(column, row):
    return column.value(row)


@register.filter
def column_link(column, row) -> str:
    return column.link(row) if column.link else ""


@register.filter
def ignored_filters_for(item, scope) -> list[str]:
    from ..dashboard import ignored_filters

    return ignored_filters(item, scope)


@register.filter
def index(items, position: int):
    """The item at a position, or "" past the end (a table without links)."""
    try:
        return items[position]
    except (IndexError, TypeError):
        return ""
