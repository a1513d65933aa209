"""The ground floor's own rows: the audit log, the stored answers of idempotent writes, the state of scheduled jobs."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """The stored answer to a write made under a client key (see core.idempotency). `owner` is whose key it is
    (a user, or "system"): keys are per user, so another user's retry of the same key is a new write."""

    scope = models.CharField(max_length=40, verbose_name=_("scope"))
    owner = models.CharField(max_length=40, default="", verbose_name=_("owner"))
    key = models.CharField(max_length=100, verbose_name=_("key"))
    body_hash = models.CharField(max_length=64, verbose_name=_("body hash"))
    status = models.PositiveSmallIntegerField(verbose_name=_("status"))
    response = models.JSONField(verbose_name=_("response"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("stored answer")
        verbose_name_plural = _("stored answers")
        db_table = "gridcare_idempotencykey"
        constraints = [models.UniqueConstraint(fields=["scope", "owner", "key"], name="idempotencykey_owner_unique")]

    def __str__(self):
        return f"{self.scope}:{self.owner}:{self.key}"


class AuditLogAppendOnly(RuntimeError):
    """An audit row was to be changed or deleted: the log only grows (core.audit.audit_rows_delete is its one
    deletion, for retention)."""


class AuditEventQuerySet(models.QuerySet):
    """Refuses update() and delete(): no code of ours rewrites the record. Django's own deletion collector uses the
    plain base manager to set `actor` to NULL when a user is deleted (actor_name keeps who it was); the PostgreSQL
    trigger of migration 0007 allows exactly that change, and a DELETE only under core.audit.audit_rows_delete."""

    def update(self, **kwargs):
        raise AuditLogAppendOnly("the audit log is append-only: update() refused")

    def delete(self):
        raise AuditLogAppendOnly("the audit log is append-only: delete() refused (retention: audit_rows_delete)")


class AuditEvent(models.Model):
    """Who did what, when, from where. Written by core.audit.audit_record and nothing else; never changed, deleted
    only by core.audit.audit_rows_delete (retention)."""

    class Action(models.TextChoices):
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGOUT = "logout", _("logout")
        TOKEN_ISSUED = "token_issued", _("API token issued")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        REVEAL = "reveal", _("reveal of ID/phone")
        EXPORT = "export", _("export")
        IMPORT = "import", _("import")
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        MOVE = "move", _("move")
        BACKUP = "backup", _("database backup")
        RESTORE = "restore", _("database restore")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    actor_name = models.CharField(_("username"), max_length=150, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    target_type = models.CharField(_("object type"), max_length=40, blank=True)
    target_id = models.CharField(_("object id"), max_length=40, blank=True)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        db_table = "accounts_auditevent"
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["target_type", "target_id"], name="accounts_au_target__6d660f_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogAppendOnly("the audit log is append-only: an existing row is not saved again")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogAppendOnly("the audit log is append-only: delete() refused (retention: audit_rows_delete)")


class ScheduledJob(models.Model):
    """The state of one job of core.scheduler: when it is due next (the scheduler moves it on when it fires), when
    it last ran and how that went. `schedule` is the declaration it was timed by, so a changed one re-times it."""

    name = models.CharField(_("job"), max_length=60, unique=True)
    schedule = models.CharField(max_length=40)
    next_run_at = models.DateTimeField(_("next run"))
    enqueued_at = models.DateTimeField(_("last enqueued"), null=True)
    last_run_at = models.DateTimeField(_("last run"), null=True)
    last_duration = models.DurationField(_("duration"), null=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    failures = models.PositiveIntegerField(_("failures"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        permissions = [("see_retention_report", "Can see what the retention purge would delete or anonymise")]

    def __str__(self):
        return self.name

    @property
    def last_run_failed(self):
        return self.last_error_at is not None and (self.last_run_at is None or self.last_error_at >= self.last_run_at)

    @property
    def last_error_line(self):
        """The exception itself: the traceback's last line."""
        lines = self.last_error.strip().splitlines()
        return lines[-1][:200] if lines else ""


class OwnRowsManager(models.Manager):
    """The rows the acting user owns (the system sees all; nobody, none): an export is its owner's alone, so another
    user's export is not found (404), as a row outside one's area is."""

    def get_queryset(self):
        from core.context import current_actor

        actor, queryset = current_actor(), super().get_queryset()
        if actor.system:
            return queryset
        user = actor.user
        if user is None or not user.is_authenticated:
            return queryset.none()
        return queryset.filter(owner_id=user.pk)


class Export(models.Model):
    """One export of a list (core.exports): who asked for which list with which parameters, how far the background
    task got, whether it shows full numbers (and why), and the .xlsx it wrote under MEDIA_ROOT/exports, deleted with
    the row after EXPORT_KEEP_HOURS."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("list"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # The requesting actor's scope and permissions as the request had them (a token may narrow both); the task
    # builds the owner's actor afresh and narrows it to these.
    actor = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), default=0)
    revealed = models.BooleanField(_("full numbers"), default=False)
    reveal_reason = models.CharField(_("reason"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to="exports/", max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = OwnRowsManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["owner", "-created_at"], name="core_export_owner_idx")]

    def __str__(self):
        return f"{self.name} ({self.status})"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
