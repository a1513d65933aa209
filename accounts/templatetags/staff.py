from django import template

register = template.Library()


@register.filter
def staff(user):
    """A staff user as people know them: "王芳 · 网格员" / "Wang Fang · grid worker" (username only if unnamed)."""
    return user.staff_label if user else ""
