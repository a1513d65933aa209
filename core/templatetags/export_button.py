"""`{% export_button "registry.persons" label area=grid.code %}`: a list's export button, a form that starts the
export in the background (core.exports); with the reveal permission, a choice to show full numbers with a reason."""

from django import template

from core import exports

register = template.Library()


@register.inclusion_tag("core/_export_button.html", takes_context=True)
def export_button(context, key, label, params=None, reveal_open=False, **more):
    """`params` (a dict) and keyword arguments are the list's parameters, sent as hidden fields."""
    user = context["request"].user
    entry = exports.export_lists().get(key)
    may = entry is not None and user.has_perm(entry.perm)
    params = {name: value for name, value in {**(params or {}), **more}.items() if value not in (None, "")}
    return {
        "key": key,
        "label": label,
        "params": params,
        "may": may,
        "may_reveal": may and exports.may_reveal(user),
        "reveal_open": reveal_open,
        "csrf_token": context.get("csrf_token"),
    }
