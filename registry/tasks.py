from django_tasks import task

from registry.importing import import_job_run


@task()
def import_job_run_task(job_id):
    import_job_run(job_id)
