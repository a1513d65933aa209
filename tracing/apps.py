from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "tracing"
    verbose_name = _("tracing and control")
    # The day's work first: the gate, cases and their contacts, isolation and hand-overs, tests owed; then the
    # lists a community keeps.
    nav = [
        ("tracing:gate", _("Gate"), "tracing.add_venuevisit"),
        ("tracing:case_list", _("Cases"), "tracing.view_case"),
        ("tracing:contacts_waiting", _("Contacts to decide"), "tracing.view_contact"),
        ("tracing:isolation_list", _("Isolation"), "tracing.view_isolation"),
        ("tracing:handover_list", _("Hand-overs"), "tracing.view_handover"),
        ("tracing:tests_due", _("Tests due"), "tracing.view_testobligation"),
        ("tracing:entry_alerts", _("Gate alerts"), "tracing.view_entryalert"),
        ("tracing:arrivals", _("Arrivals"), "tracing.view_arrivalreport"),
        ("tracing:control_list", _("Temporary control"), "tracing.view_control"),
        ("tracing:gate_log", _("Entry log"), "tracing.view_venuevisit"),
        ("tracing:key_groups", _("Key groups"), "tracing.view_keygroup"),
        ("tracing:special_venues", _("Special venues"), "tracing.view_inspection"),
        ("tracing:venue_list", _("Venue codes"), "tracing.view_venue"),
    ]

    def ready(self):
        from registry.services import on_person_moved
        from screening.services import on_pool_limits, on_samples_taken
        from tracing.moves import isolation_rows_follow_move, tracing_rows_follow_move
        from tracing.selectors import control_pool_limits
        from tracing.services import obligations_fulfil_by_samples

        on_samples_taken(obligations_fulfil_by_samples)
        on_pool_limits(control_pool_limits)
        on_person_moved(tracing_rows_follow_move)
        on_person_moved(isolation_rows_follow_move)
