import factory
from django.contrib.auth.models import Group
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from factory.django import DjangoModelFactory

from kbportal.accounts import two_factor
from kbportal.accounts.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    display_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    """A staff member holding one role (a group created by the roles migration)."""

    is_staff = True

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.add(Group.objects.get(name=str(extracted)))


def authenticator_code(device) -> str:
    """The code the user's authenticator app shows now, or the next one if the current one was used.

    TOTP refuses a code twice (and any code older than the last), so a test that signs in twice within one
    30-second step types the next step's code, which the device's tolerance of one step accepts.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.t() <= device.last_t:
        totp.drift += device.last_t + 1 - totp.t()
    return f"{totp.token():0{device.digits}d}"


def two_factor_enrol(user) -> list[str]:
    """Set up an authenticator for the user through the services; return the recovery codes."""
    device = two_factor.two_factor_setup_start(user=user)
    _device, codes = two_factor.two_factor_enable(user=user, code=authenticator_code(device))
    return codes


def verified_login(client, user) -> None:
    """A session that passed both steps, as if the user had typed a code."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = two_factor.user_authenticator(user).persistent_id
    session.save()
