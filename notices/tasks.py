"""Background work of the notices (django-tasks): tasks take ids and call a service, as the system."""

from django_tasks import task

from core.context import system_actor


@task()
def deliveries_send(notice_id):
    from notices.services import deliveries_dispatch

    with system_actor():
        return deliveries_dispatch(notice_id=notice_id)
