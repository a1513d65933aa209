"""Reference rows a district names itself (special groups, risk levels) carry a name per language."""

from django.utils.functional import lazy
from django.utils.translation import get_language


def in_language(name, name_en):
    """The name of the active language: English when there is one and English is active, else the Chinese."""
    language = get_language() or "zh-hans"
    return name_en if name_en and not language.startswith("zh") else name


_in_language_lazy = lazy(in_language, str)


class NamedInLanguages:
    """`name` is the Chinese name, the row's own; `name_en` the English one. Pages, forms, the admin and exports
    show the name of the active language (`label`; the models' `str()` is it too), falling back to Chinese when no
    English name was given."""

    @property
    def label(self):
        return in_language(self.name, self.name_en)

    @property
    def label_lazy(self):
        """The label, chosen when it is shown, like a gettext_lazy text: it survives a cache shared by languages."""
        return _in_language_lazy(self.name, self.name_en)
