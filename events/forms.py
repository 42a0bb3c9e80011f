import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_plain_text(value):
    """Names are shown to staff and in emails: no markup, no control characters."""
    if "<" in value or ">" in value:
        raise ValidationError(_("Please leave out the characters < and >."))
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValidationError(_("Please leave out control characters such as tabs or line breaks."))


class ConsentCheckbox(forms.CheckboxInput):
    """
    Ticked only when the box's own value ("on", what browsers send for it) arrives:
    "0", "false", "off" or an empty value are not consent.
    """

    def value_from_datadict(self, data, files, name):
        return data.get(name) == "on"


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, validators=[validate_plain_text])
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("We send your confirmation and a private link here."),
    )
    organisation = forms.CharField(
        label=_("Organisation"), max_length=200, required=False, validators=[validate_plain_text]
    )
    consent = forms.BooleanField(
        label=_("I agree to the privacy notice above"),
        widget=ConsentCheckbox,
        error_messages={"required": _("Please agree to the privacy notice to register.")},
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    field_order = ["name", "email", "organisation", "consent", "website"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")
        # The box describes itself with the notice it agrees to.
        self.fields["consent"].help_text = _(
            "We keep your name, email address, organisation and the time you agreed to this "
            "notice, only to manage your place at this event: to confirm it, to tell you about "
            "changes and to send a reminder. Event managers of the Joint Task Force can see "
            "them. We delete them %(days)s days after the event ends. You can cancel at any "
            "time with the private link in your email."
        ) % {"days": settings.REGISTRATION_RETENTION_DAYS}

    @property
    def is_bot(self):
        """True when the hidden field, which people never see, was filled in."""
        return bool(self.data.get("website"))

    @property
    def visible_fields_without_honeypot(self):
        return [field for field in self.visible_fields() if field.name != "website"]
