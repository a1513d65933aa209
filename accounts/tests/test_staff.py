"""Staff appear by name and role; choosing one is grouped by area."""

from django.template import Context, Template
from django.utils import translation

from accounts.forms import StaffChoiceField
from accounts.models import User


def test_staff_label_is_name_and_role_in_the_users_language(users):
    wang = users["cora"]
    wang.last_name, wang.first_name = "王", "芳"
    with translation.override("zh-hans"):
        assert str(wang) == "王芳 · 社区工作人员"
        assert Template("{% load staff %}{{ u|staff }}").render(Context({"u": wang})) == "王芳 · 社区工作人员"
    with translation.override("en"):
        assert str(wang) == "王芳 · community staff"
    wang.last_name, wang.first_name = "Wang", "Fang"
    with translation.override("en"):
        assert str(wang) == "Fang Wang · community staff"


def test_an_unnamed_user_falls_back_to_the_username(users):
    with translation.override("en"):
        assert str(users["gwen"]) == "gwen · grid worker"
        assert Template("{% load staff %}[{{ u|staff }}]").render(Context({"u": None})) == "[]"


def test_worker_choice_is_grouped_by_area(users, areas):
    field = StaffChoiceField(User.objects.filter(role="grid_worker").order_by("area__code", "username"))
    with translation.override("en"):
        choices = list(field.choices)
        html = field.widget.render("worker", None, attrs={"id": "id_worker"})
    assert [group for group, _ in choices[1:]] == ["中福1网格", "中福2网格"]
    assert choices[1][1][0][1] == "gwen · grid worker"
    assert '<optgroup label="中福1网格">' in html and 'class="staff-filter" data-filters="id_worker"' in html
