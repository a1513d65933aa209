"""Third-party front-end files served as our own static files, never committed: `make install` runs `npm ci`
(package.json, package-lock.json) and this finder exposes just the built files a page loads, each under
`vendor/<library>/` (settings.VENDOR_STATIC), not the whole npm package (collectstatic would copy every build)."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Warning as CheckWarning
from django.core.files.storage import FileSystemStorage


class VendorFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        # static path ("vendor/echarts/echarts.min.js") -> the file npm installed
        self.files = {name: Path(source) for name, source in settings.VENDOR_STATIC.items()}

    def check(self, **kwargs):
        return [
            CheckWarning(f"{source} is missing: run `make install` (npm ci)", id="gridcare.W001")
            for source in self.files.values()
            if not source.is_file()
        ]

    def find(self, path, find_all=False, **kwargs):
        source = self.files.get(path)
        found = str(source) if source is not None and source.is_file() else None
        if find_all:
            return [found] if found else []
        return found

    def list(self, ignore_patterns):
        for name, source in self.files.items():
            if source.is_file():
                storage = FileSystemStorage(location=source.parent)
                storage.prefix = str(Path(name).parent)
                yield source.name, storage
