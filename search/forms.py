from django import forms
from django.utils.translation import gettext_lazy as _

from taskforce.pagination import MAX_PAGE_NUMBER

from .kinds import KINDS

MAX_QUERY_LENGTH = 200


class SearchForm(forms.Form):
    """
    What a visitor asks for. A field that does not make sense is left out (every kind,
    every year, the first page) and its message shown; only a search too long to run
    stops it.
    """

    q = forms.CharField(
        label=_("Search for"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.SearchInput,
        error_messages={
            "max_length": _(
                "That search is too long. Please use at most %(limit_value)d characters."
            )
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Everything")), *((kind.key, kind.label) for kind in KINDS.values())],
        error_messages={"invalid_choice": _("There is no kind “%(value)s”: showing every kind.")},
    )
    year = forms.TypedChoiceField(
        label=_("Year"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": _("There is nothing from “%(value)s”: showing every year.")
        },
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_NUMBER,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("Page numbers are whole numbers: showing the first page."),
            "min_value": _("Pages start at 1: showing the first page."),
            "max_value": _("There is no such page: showing the first page."),
        },
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Any year")), *((year, year) for year in years)]

    def clean_q(self):
        """The words, without control characters or runs of spaces."""
        words = "".join(char if char.isprintable() else " " for char in self.cleaned_data["q"])
        return " ".join(words.split())

    @property
    def search(self):
        """The valid part of what was asked: q, kind, year, page (invalid ones as if absent)."""
        self.is_valid()
        values = {"q": "", "kind": "", "year": None, "page": 1}
        values.update((name, value) for name, value in self.cleaned_data.items() if value)
        return values
