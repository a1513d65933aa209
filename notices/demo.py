"""Demo data for notices: two templates, a sampling notice sent three hours ago to the first grid of 中福社区
(through the inbox), half of it acknowledged, and its phone list made. Synthetic only."""

from datetime import timedelta

from django.utils import timezone

from core.context import system_actor
from notices.models import Delivery, Notice, NoticeTemplate, name_masked, template_render
from notices.services import notices_escalate
from registry.models import Area, Person

TEMPLATES = [
    ("核酸采样通知", "{name}您好：请于{time}到{site}参加{round}核酸采样，带好身份证，戴好口罩。"),
    ("居家提醒", "{name}您好：本小区临时管控期间请不要外出，物资需求请联系网格员。"),
]


def build_demo(*, rng, stdout):
    with system_actor():
        for name, body in TEMPLATES:
            NoticeTemplate.objects.get_or_create(name=name, defaults={"body": body})
        grid = Area.all_objects.filter(level=Area.Level.GRID, parent__name="中福社区").order_by("code").first()
        if grid is None:
            return
        sent_at = timezone.now() - timedelta(hours=3)
        values = {"time": "明天8:30", "site": "中福社区采样点", "round": "第一轮"}
        notice = Notice.all_objects.create(
            area=grid,
            title=TEMPLATES[0][0],
            body=TEMPLATES[0][1],
            values=values,
            audience=Notice.Audience.AREA,
            channels=["inbox"],
            sent_at=sent_at,
            phone_after_hours=2,
            knock_after_hours=6,
        )
        persons = list(Person.all_objects.filter(grid=grid).order_by("id")[:60])
        Delivery.all_objects.bulk_create(
            Delivery(
                notice=notice,
                person=p,
                grid=grid,
                channel="inbox",
                sent_at=sent_at,
                body=template_render(notice.body, name=p.name, **values),
                public_body=template_render(notice.body, name=name_masked(p.name), **values),
                status=Delivery.Status.ACKNOWLEDGED if rng.random() < 0.5 else Delivery.Status.SENT,
                acknowledged_at=sent_at + timedelta(minutes=rng.randint(5, 90)),
            )
            for p in persons
        )
        Delivery.all_objects.filter(notice=notice, status=Delivery.Status.SENT).update(acknowledged_at=None)
        made = notices_escalate()
    stdout.write(f"notices: {len(TEMPLATES)} templates, 1 notice to {len(persons)} residents, {made['phone']} to phone")
