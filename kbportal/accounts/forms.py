from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from .mail import account_mail_queue, account_mail_send
from .models import User


class SignUpForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=80)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        # Whether the address has an account is told only to the address, by e-mail (never on this page).
        return self.cleaned_data["email"].strip()

    def clean(self) -> dict:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ. Type the same password twice."))
        elif first:
            candidate = User(email=data.get("email", ""), display_name=data.get("display_name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class SignUpConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("The password you chose"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, user: User, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("That is not the password chosen when this address signed up. Type it again, or sign up again."),
                code="password_incorrect",
            )
        return password


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("E-mail address or username"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("That e-mail address and password do not match an account. Check both and try again."),
        "inactive": _("This account is disabled. Contact support."),
    }


class CheckedPasswordChangeForm(PasswordChangeForm):
    """The current password is checked through ``authenticate()``, like every other way in, so wrong
    guesses count towards the sign-in lockout and a locked-out account cannot be probed from here."""

    def __init__(self, user, *args, request=None, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old_password) != self.user:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class AccountPasswordResetForm(PasswordResetForm):
    """Django's reset form, with its mail sent by the mail task and one mail for every address: an address
    without an account is told so, so the page and its timing are the same either way."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None) -> None:  # fmt: skip
        subject = render_to_string(subject_template_name, context)
        account_mail_queue(subject=subject, body=render_to_string(email_template_name, context), to=to_email)

    def save(self, **kwargs) -> None:
        email = self.cleaned_data["email"]
        if any(True for _user in self.get_users(email)):
            super().save(**kwargs)
        else:
            account_mail_send(to=email, template="password_reset_unknown", context={})


class OneTimeCodeForm(forms.Form):
    """The code from an authenticator app, or a recovery code. Checking it is the service's work.

    The page around it says which code it wants; CurrentCodeForm says it in the field, for pages with several forms.
    """

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, autofocus: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if autofocus:
            self.fields[next(iter(self.fields))].widget.attrs["autofocus"] = True


class CurrentCodeForm(OneTimeCodeForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "The 6-digit code your authenticator app shows, or one of your recovery codes."
        )


class TwoFactorDisableForm(CurrentCodeForm):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    field_order = ["password", "code"]


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, such as a script or a device, so that you know which one to revoke."),
    )
