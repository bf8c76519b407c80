"""A lost phone: support managers and superusers reset a user's two-factor authentication in the admin;
agents cannot, nobody reads a device's key or recovery codes, and only a superuser resets a superuser."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kbportal.accounts import two_factor
from kbportal.accounts.roles import AGENT_ROLES, Role
from tests.accounts.factories import PASSWORD, StaffFactory, UserFactory, two_factor_enrol

pytestmark = pytest.mark.django_db


def _reset(client, *users):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [user.pk for user in users]},
    )


def _actions(client) -> set[str]:
    form = client.get(reverse("admin:accounts_user_changelist")).context["action_form"]
    # No form at all when the user may use no action.
    return set() if form is None else {name for name, _label in form.fields["action"].choices}


def test_a_support_manager_resets_a_lost_phone_and_the_user_signs_in_with_the_password_again(client, manager):
    customer = UserFactory()
    two_factor_enrol(customer)
    client.force_login(manager)

    assert "reset_two_factor" in _actions(client)
    _reset(client, customer)

    assert not two_factor.user_has_second_factor(customer)
    assert not StaticToken.objects.filter(device__user=customer).exists()
    client.logout()
    signed_in = client.post(reverse("accounts:login"), {"username": customer.username, "password": PASSWORD})
    assert signed_in.url == reverse("articles:home")


@pytest.mark.parametrize("role", [Role.AGENT_TIER_1, Role.AGENT_TIER_3, Role.CONTENT_EDITOR, Role.MODERATOR])
def test_other_staff_cannot_reset_or_reach_the_devices(client, role):
    customer = UserFactory()
    two_factor_enrol(customer)
    device = TOTPDevice.objects.get(user=customer)
    client.force_login(StaffFactory(role=role))

    if role in AGENT_ROLES.values():
        # Agents read customers in the admin, without the action.
        assert "reset_two_factor" not in _actions(client)
    _reset(client, customer)
    changelist = client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    delete = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})

    assert changelist.status_code == 403
    assert delete.status_code == 403
    assert two_factor.user_has_second_factor(customer)


def test_only_a_superuser_resets_a_superuser(client, manager, admin_user):
    two_factor_enrol(admin_user)
    client.force_login(manager)

    _reset(client, admin_user)
    listed = client.get(reverse("admin:otp_totp_totpdevice_changelist")).context["cl"].result_list

    assert two_factor.user_has_second_factor(admin_user)
    assert list(listed) == []

    client.force_login(admin_user)
    _reset(client, admin_user)
    assert not two_factor.user_has_second_factor(admin_user)


def test_the_device_pages_show_no_key_or_code_and_cannot_add_or_edit(client, manager):
    customer = UserFactory()
    codes = two_factor_enrol(customer)
    device = TOTPDevice.objects.get(user=customer)
    recovery = StaticDevice.objects.get(user=customer)
    client.force_login(manager)

    pages = [
        client.get(reverse("admin:otp_totp_totpdevice_changelist")),
        client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])),
        client.get(reverse("admin:otp_static_staticdevice_change", args=[recovery.pk])),
    ]
    config = client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk]))
    add = client.get(reverse("admin:otp_totp_totpdevice_add"))
    edit = client.post(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]), {"key": "00" * 20})

    assert all(page.status_code == 200 for page in pages)
    assert not any(device.key in page.content.decode() for page in pages)
    assert not any(code in page.content.decode() for page in pages for code in codes)
    assert config.status_code == add.status_code == edit.status_code == 403
    assert TOTPDevice.objects.get(pk=device.pk).key == device.key

    deleted = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert deleted.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
