"""Form fields shared by the apps."""

from django import forms
from django.utils import translation

from .choices import content_language


class BilingualChoiceField(forms.ModelChoiceField):
    """A choice of a model with `BilingualNames` (categories): each option named in the viewer's language.

    The label is taken when the options are rendered, so the language active for the request applies.
    """

    def label_from_instance(self, obj) -> str:
        return obj.name_in(content_language(translation.get_language()))
