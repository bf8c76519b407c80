"""A signed-in customer who opens a staff page gets the site's branded 403 in their language, not a bare
"403 Forbidden" nor a trip back to the sign-in page they have already passed."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    ("tickets:queue", []),
    ("tickets:staff_detail", ["HW-1"]),
    ("analytics:deflection", []),
    ("articles:needs_review", []),
    ("analytics:dashboard", []),
]


@pytest.mark.parametrize(("name", "args"), STAFF_PAGES)
@pytest.mark.parametrize(
    ("accept_language", "title", "brand"),
    [("en", "You cannot open this page", "HelloWorld Support"), ("zh-hans", "您无法打开此页面", "HelloWorld 支持中心")],
)
def test_a_customer_on_a_staff_page_gets_the_branded_403(customer_client, name, args, accept_language, title, brand):
    response = customer_client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE=accept_language)

    page = response.content.decode()
    assert response.status_code == 403
    assert f"<h1>{title}</h1>" in page
    assert 'class="site-header"' in page
    assert brand in page
