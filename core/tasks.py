from django_tasks import task

from core.exports import export_run


@task()
def export_run_task(export_id):
    """Writes one export's file (core.exports.export_run); a failure is recorded on the export, never raised."""
    export_run(export_id)
