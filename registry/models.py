from functools import lru_cache

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pypinyin import Style, lazy_pinyin

from core.masking import mask_id_number, mask_phone
from core.scoping import ScopedManager
from core.translated import NamedInLanguages


class Area(models.Model):
    """District → street → community/village → grid. Codes nest by prefix (national statistical division codes:
    6, 9 and 12 digits; a grid is its community's code plus 3 digits), which is what scoping relies on."""

    class Level(models.IntegerChoices):
        DISTRICT = 1, _("district")
        STREET = 2, _("street")
        COMMUNITY = 3, _("community")
        GRID = 4, _("grid")

    CODE_LENGTH = {Level.DISTRICT: 6, Level.STREET: 9, Level.COMMUNITY: 12, Level.GRID: 15}

    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=pgettext_lazy("area", "parent"),
    )
    is_village = models.BooleanField(_("village"), default=False)
    # The area's outline for the command map: a GeoJSON Polygon or MultiPolygon geometry in WGS84 (longitude,
    # latitude), from the demo or an uploaded FeatureCollection (registry.services.area_boundaries_upload).
    boundary = models.JSONField(_("boundary"), null=True, blank=True)

    area_path = ""
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(level=1, code__regex=r"^\d{6}$")
                    | models.Q(level=2, code__regex=r"^\d{9}$")
                    | models.Q(level=3, code__regex=r"^\d{12}$")
                    | models.Q(level=4, code__regex=r"^\d{15}$")
                ),
                name="area_code_length_matches_level",
            ),
        ]

    def __str__(self):
        return self.name

    def ancestors(self):
        """From the district down to the parent, by code prefix (no recursion)."""
        prefixes = [self.code[:n] for n in (6, 9, 12) if n < len(self.code)]
        return list(Area.all_objects.filter(code__in=prefixes).order_by("code"))


class SpecialGroup(NamedInLanguages, models.Model):
    """特殊人群. The six from the page are seeded (with English names); an admin may add more."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    sort = models.PositiveSmallIntegerField(default=100, verbose_name=_("sort order"))

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("special group")
        verbose_name_plural = _("special groups")

    def __str__(self):
        return self.label


class Compound(models.Model):
    """小区: a residential compound, possibly spanning grids of one community."""

    name = models.CharField(_("name"), max_length=80)
    community = models.ForeignKey(Area, models.PROTECT, related_name="compounds", verbose_name=_("community"))
    address = models.CharField(_("address"), max_length=200, blank=True)

    area_path = "community"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["community__code", "name"]
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")

    def __str__(self):
        return self.name


class Building(models.Model):
    """楼栋."""

    grid = models.ForeignKey(Area, models.PROTECT, related_name="buildings", verbose_name=_("grid"))
    compound = models.ForeignKey(
        Compound, models.PROTECT, null=True, blank=True, related_name="buildings", verbose_name=_("compound")
    )
    name = models.CharField(_("name"), max_length=60)
    address = models.CharField(_("address"), max_length=200)
    floors = models.PositiveSmallIntegerField(_("floors"), default=1)
    units = models.PositiveSmallIntegerField(_("units"), default=1)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["grid__code", "address", "name"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        indexes = [models.Index(fields=["grid", "address"])]

    def __str__(self):
        return self.address


class Household(models.Model):
    """户: a door. `grid` repeats the building's grid so that scoping and coverage need no join."""

    building = models.ForeignKey(Building, models.PROTECT, related_name="households", verbose_name=_("building"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="households", verbose_name=_("grid"))
    unit = models.PositiveSmallIntegerField(_("unit"), default=1)
    floor = models.SmallIntegerField(_("floor"), default=1)
    room = models.CharField(_("room"), max_length=20)

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["building_id", "unit", "floor", "room"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["building", "unit", "room"], name="household_unique_door"),
        ]
        indexes = [models.Index(fields=["grid", "building", "unit", "floor", "room"])]

    def __str__(self):
        return f"{self.building.address} {self.unit}-{self.room}"

    @property
    def door_label(self):
        # Translators: a door of a household, e.g. "2单元 301" (unit 2, room 301).
        return _("unit %(unit)s, %(room)s") % {"unit": self.unit, "room": self.room}


@lru_cache(maxsize=65536)  # names repeat (张伟 is legion) and pypinyin is slow; imports convert 100,000 at once
def name_initials(name):
    """张伟 → 'zw'. Used for search by pinyin initials."""
    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if p).lower()


class Person(models.Model):
    class IdType(models.TextChoices):
        RESIDENT_ID = "ric", _("resident ID card")
        PASSPORT = "passport", _("passport")
        HK_MACAO = "hkmo", _("Hong Kong/Macao permit")
        TAIWAN = "tw", _("Taiwan permit")
        OTHER = "other", _("other document")

    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    class Relation(models.TextChoices):
        HEAD = "head", _("head of household")
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        GRANDCHILD = "grandchild", _("grandchild")
        GRANDPARENT = "grandparent", _("grandparent")
        SIBLING = "sibling", _("sibling")
        TENANT = "tenant", _("tenant")
        OTHER = "other", _("other")

    class ResidenceStatus(models.TextChoices):
        REGISTERED = "registered", _("registered resident")
        RESIDENT = "resident", _("long-term resident")
        FLOATING = "floating", _("floating population")
        AWAY = "away", _("away")
        MOVED_OUT = "moved_out", _("moved out")
        DECEASED = "deceased", _("deceased")
        # Their data was erased on their request (registry.services.person_erase): the row stays, anonymous, for
        # the counts of what was done; no campaign expects them, no list shows them.
        ERASED = "erased", _("data erased on request")

    class Mobility(models.TextChoices):
        NORMAL = "normal", _("walks unaided")
        LIMITED = "limited", _("limited mobility")
        BEDRIDDEN = "bedridden", _("bedridden")

    grid = models.ForeignKey(Area, models.PROTECT, related_name="persons", verbose_name=_("grid"))
    household = models.ForeignKey(
        Household, models.PROTECT, null=True, blank=True, related_name="persons", verbose_name=_("household")
    )
    name = models.CharField(_("name"), max_length=60)
    name_initials = models.CharField(_("pinyin initials"), max_length=20, db_index=True)
    id_type = models.CharField(_("ID type"), max_length=10, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = models.CharField(_("ID number"), max_length=20)
    id_last4 = models.CharField(max_length=4, db_index=True, editable=False, verbose_name=_("last 4 of ID number"))
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_last4 = models.CharField(
        max_length=4, blank=True, db_index=True, editable=False, verbose_name=_("last 4 of phone")
    )
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices, default=Relation.OTHER)
    residence_status = models.CharField(
        _("residence status"), max_length=12, choices=ResidenceStatus.choices, default=ResidenceStatus.RESIDENT
    )
    mobility = models.CharField(_("mobility"), max_length=10, choices=Mobility.choices, default=Mobility.NORMAL)
    special_groups = models.ManyToManyField(
        SpecialGroup, through="PersonGroup", related_name="persons", blank=True, verbose_name=_("special groups")
    )
    is_provisional = models.BooleanField(
        _("registered on the spot"), default=False, help_text=_("Registered at a desk; the grid should verify.")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["grid__code", "household_id", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        permissions = [
            ("reveal_identity", "Can reveal full ID and phone numbers (audited)"),
            ("call_person", "Can phone a person through the audited call link"),
            ("import_residents", "Can import residents from Excel"),
            ("export_lists", "Can export lists to Excel (audited)"),
            ("export_person_data", "Can export everything held about one person, on their request (audited)"),
            ("erase_person", "Can erase a person's data on their request, where the law allows (audited)"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number"], name="person_unique_document"),
        ]
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["grid", "household"]),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def age(self):
        from django.utils import timezone

        if not self.birth_date:
            return None
        today = timezone.localdate()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


class PersonGroup(models.Model):
    """A person's tag in a special group (the ledger itself, with risk and needs, is the care app's)."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="group_tags", verbose_name=_("person"))
    group = models.ForeignKey(SpecialGroup, models.PROTECT, related_name="person_tags", verbose_name=_("group"))
    added_at = models.DateTimeField(auto_now_add=True, verbose_name=_("added at"))

    area_path = "person__grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("special-group tag")
        verbose_name_plural = _("special-group tags")
        constraints = [models.UniqueConstraint(fields=["person", "group"], name="persongroup_unique")]

    def __str__(self):
        return f"{self.person} · {self.group}"


class Residence(models.Model):
    """Where a person lived, and when: a move closes one row and opens the next."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="residences", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    household = models.ForeignKey(
        Household, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("household")
    )
    started_at = models.DateTimeField(verbose_name=_("started at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))
    reason = models.CharField(max_length=200, blank=True, verbose_name=_("reason"))

    area_path = "person__grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("residence")
        verbose_name_plural = _("residences")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(ended_at__isnull=True), name="residence_one_current"
            ),
        ]

    def __str__(self):
        return f"{self.person} @ {self.household or self.grid} from {self.started_at:%Y-%m-%d}"


class ImportJob(models.Model):
    """One upload of a residents' file: the file itself (so the error report can repeat its rows), how far the
    import got and what it found. Bound to the uploader's area so that only that part of the district sees it."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("to check")
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("importing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=200)
    user = models.ForeignKey(
        "accounts.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    area = models.ForeignKey(Area, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("area"))
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("address"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    area_path = "area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return self.filename

    @property
    def percent(self):
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)
