from django import template

register = template.Library()


@register.filter
def staff(user):
    """A staff user as people know them: "王芳 · 网格员" / "Wang Fang · grid worker" (username only if unnamed)."""
    return user.staff_label if user else ""


@register.filter
def staff_row(row, prefix):
    """The same label from a .values() row: {{ row|staff_row:"worker" }} reads worker__first_name, … worker__role."""
    from accounts.models import person_name
    from accounts.roles import Role

    name = person_name(row[f"{prefix}__first_name"], row[f"{prefix}__last_name"]) or row[f"{prefix}__username"]
    role = row[f"{prefix}__role"]
    return f"{name} · {Role(role).label}" if role in Role.values else name
