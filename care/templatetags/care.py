from django import template

register = template.Library()


@register.inclusion_tag("care/_person_panel.html")
def care_panel(person):
    """The care panel for another app's person page: `{% load care %}{% care_panel person %}`."""
    from care.views import person_panel_context

    return {"person": person, **person_panel_context(person)}
