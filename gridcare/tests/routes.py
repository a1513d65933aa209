"""Every route of the project, with its parameters filled from a given person's objects: the leak and mask tests
walk these. A route whose parameters cannot be filled is reported, so no new page or endpoint goes unwalked: an app
that adds routes with new parameters offers `leak_objects(person) -> {url kwarg: value}` in its `<app>/testing.py`.
A kwarg naming a district-wide object (a screening round, say), which another area may open, is listed under the
key "shared" (a set of kwarg names): routes whose parameters are all shared need not refuse, but must not leak."""

import json
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from core.context import Scope
from core.discovery import app_modules
from core.scoping import scope_filter

API_PREFIX = "/api/v1/"
_PATH_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
_OPENAPI_PARAM = re.compile(r"\{(?P<name>\w+)\}")


@dataclass
class Route:
    pattern: str  # "/registry/persons/<int:person_id>/"
    name: str  # "registry:person"
    params: list = field(default_factory=list)
    methods: tuple = ("GET",)

    @property
    def is_api(self):
        return self.pattern.startswith(API_PREFIX)


def url_routes(resolver=None, prefix="/", namespace=""):
    """Every URL pattern, depth first, with the namespaced name and the names of its parameters."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern).lstrip("^").rstrip("$").replace("\\", "")
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_routes(entry, pattern, ns)
        elif isinstance(entry, URLPattern):
            params = [m["name"] for m in _PATH_PARAM.finditer(pattern)] + [
                m["name"] for m in _REGEX_PARAM.finditer(pattern)
            ]
            yield Route(pattern=pattern, name=f"{namespace}{entry.name or ''}", params=params)


def api_operations(schema):
    """(path, method) of every operation in the OpenAPI schema."""
    for path, operations in schema["paths"].items():
        for method in operations:
            yield path, method.upper()


def app_testing_modules():
    """Each app's `testing` module, where it offers what the walkers need of it."""
    return app_modules("testing")


def app_leak_objects(person):
    """What every app's testing.leak_objects offers for `person`, merged."""
    values = {}
    for module in app_testing_modules():
        if hasattr(module, "leak_objects"):
            offered = module.leak_objects(person)
            shared = values.get("shared", set()) | set(offered.pop("shared", ()))
            values.update(offered, shared=shared)
    return values


def admin_object_id(route, values, area):
    """For /admin/<app>/<model>/<object_id>/… routes: the `<model>_id` the apps offered, else an object of that
    model in `area`, else (for models not bound to an area, which the admin's permissions guard) any object."""
    _, _, app_label, model_name, *_ = route.pattern.split("/")
    model = apps.get_model(app_label, model_name)
    if f"{model_name}_id" in values:
        return values[f"{model_name}_id"]
    if hasattr(model, "area_path"):
        scope = Scope(code=area.code, area_id=area.pk, is_grid=area.level == 4)
        obj = model.all_objects.filter(scope_filter(model, scope)).first()
        return obj.pk if obj else None
    obj = model._base_manager.order_by("pk").first()
    return obj.pk if obj else 1


def names_scoped_object(route, values):
    """Whether the route names one of the walked person's area-bound objects, so it must refuse."""
    if not set(route.params) - set(values.get("shared", ())):
        return False
    if not route.name.startswith("admin:") or route.name == "admin:view_on_site":
        return True
    if not {"object_id", "id"} & set(route.params):  # the admin's app index and catch-all
        return False
    _, _, app_label, model_name, *_ = route.pattern.split("/")
    return hasattr(apps.get_model(app_label, model_name), "area_path")


def fill(route, values, area):
    """The concrete URL for `route`, or None when a parameter has no value."""
    url = route.pattern
    for name in route.params:
        if route.name.startswith("admin:") and name in ("object_id", "id") and route.name != "admin:view_on_site":
            value = admin_object_id(route, values, area)
        elif name == "url" and route.name == "admin:":  # the admin's catch-all
            value = "no-such-page/"
        elif name == "content_type_id":
            value = ContentType.objects.get_by_natural_key("registry", "person").pk
        elif name == "object_id":
            value = values.get("person_id")
        elif name == "app_label":
            value = "registry"
        else:
            value = values.get(f"{route.name.partition(':')[0]}:{name}", values.get(name))
        if value is None:
            return None
        url = _PATH_PARAM.sub(lambda m, n=name, v=value: str(v) if m["name"] == n else m[0], url)
        url = _REGEX_PARAM.sub(lambda m, n=name, v=value: str(v) if m["name"] == n else m[0], url)
    return url


def fill_openapi(path, values):
    names = [m["name"] for m in _OPENAPI_PARAM.finditer(path)]
    if any(values.get(n) is None for n in names):
        return None, names
    return _OPENAPI_PARAM.sub(lambda m: str(values[m["name"]]), path), names


def body_text(response):
    """The response as text, unzipping .xlsx downloads so their cells are scanned too."""
    import zipfile
    from io import BytesIO

    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(BytesIO(content)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    text = content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json") and text:
        text = json.dumps(json.loads(text), ensure_ascii=False)  # "\u9694" would hide a name from the scan
    return text + " " + response.get("Location", "")
