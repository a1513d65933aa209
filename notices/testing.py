"""Notice rows for a person, for the project-wide leak and write walkers."""


def leak_objects(person):
    """A notice sent in the person's grid (an inbox delivery to them, its acknowledgement code), a phone-list entry
    for them and the grid's group robot. The public link's code is the key itself (unguessable), so it is "shared":
    any visitor may open it, and it must show nothing beyond a masked greeting."""
    from core.context import system_actor
    from notices.models import CallTask, Delivery, Notice, NoticeGroupRobot

    with system_actor():
        notice = Notice.all_objects.create(
            area=person.grid,
            title="核酸检测通知",
            body="{name}您好，请于{time}到{site}参加{round}核酸检测。",
            values={"time": "明天8:30", "site": "万达广场采样点", "round": "第一轮"},
            audience=Notice.Audience.AREA,
            channels=["inbox"],
            phone_after_hours=2,
            knock_after_hours=6,
        )
        delivery = Delivery.all_objects.create(
            notice=notice,
            person=person,
            grid=person.grid,
            channel="inbox",
            body=f"{person.name}您好，请参加核酸检测。",
            public_body=f"{person.name[:1]}**您好，请参加核酸检测。",
        )
        task = CallTask.all_objects.create(notice=notice, person=person, grid=person.grid, stage=CallTask.Stage.PHONE)
        robot, _ = NoticeGroupRobot.all_objects.get_or_create(
            grid=person.grid, defaults={"webhook_url": "http://127.0.0.1:9/robot"}
        )
    return {
        "notice_id": notice.pk,
        "notices:task_id": task.pk,
        "notices_public:code": delivery.code,
        "noticegrouprobot_id": robot.pk,
        "shared": {"code"},
    }


def write_cases(values):
    """The notices' write routes; targets are the rows leak_objects made for a person in grid B."""
    from django.urls import reverse

    from core.context import system_actor
    from gridcare.tests.writes import WriteCase
    from notices.models import CallTask, Notice

    with system_actor():
        notice = Notice.all_objects.get(pk=values["notice_id"])
        grid_b = notice.area
        person_id = CallTask.all_objects.get(pk=values["notices:task_id"]).person_id
    send = {
        "area": grid_b.pk,
        "title": "通知",
        "body": "{name}您好，请留意。",
        "audience": "area",
        "channels": ["inbox"],
    }
    return [
        WriteCase("notices:new", reverse("notices:new"), "notices.add_notice", data=send),
        WriteCase(
            "notices:acknowledge",
            reverse("notices:acknowledge", args=[notice.pk, person_id]),
            "notices.change_delivery",
        ),
        WriteCase(
            "notices:reached", reverse("notices:reached", args=[values["notices:task_id"]]), "notices.change_calltask"
        ),
        WriteCase(
            "POST /api/v1/notices",
            "/api/v1/notices",
            "notices.add_notice",
            data={"area": grid_b.code, "title": "通知", "body": "{name}您好。", "channels": ["inbox"]},
            json=True,
        ),
    ]


PUBLIC_WRITE_ROUTES = ["notices_public:acknowledge"]
