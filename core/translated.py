"""Reference rows a district names itself (special groups, risk levels) carry a name per language."""

from django.utils.translation import get_language


class NamedInLanguages:
    """`name` is the Chinese name, the row's own; `name_en` the English one. Pages, forms, the admin and exports
    show the name of the active language (`label`; the models' `str()` is it too), falling back to Chinese when no
    English name was given."""

    @property
    def label(self):
        language = get_language() or "zh-hans"
        return self.name_en if self.name_en and not language.startswith("zh") else self.name
