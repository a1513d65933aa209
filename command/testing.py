"""The command centre's routes for the project-wide leak and write walkers (gridcare/tests/test_leaks.py,
test_writes.py). Its pages are named by area code, which registry's leak_objects already offers as `code`."""


def leak_objects(person):
    return {}


def write_cases(values):
    """The map's boundary upload, naming grid B (the walked person's grid)."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from gridcare.tests.writes import WriteCase
    from registry.boundaries import DEMO_DISTRICT_BOX, box_polygon

    def upload():
        feature = {
            "type": "Feature",
            "properties": {"code": values["code"]},
            "geometry": box_polygon(DEMO_DISTRICT_BOX),
        }
        content = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
        return {"file": SimpleUploadedFile("areas.geojson", content, content_type="application/geo+json")}

    return [WriteCase("command:map_boundaries", reverse("command:map_boundaries"), "registry.change_area", data=upload)]
