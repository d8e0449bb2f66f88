import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def set_active(client, level: str, item, active: bool, **extra):
    return client.post(
        reverse("hierarchy:item_set_active", args=[level, item.pk]),
        {"active": "1" if active else "0", **extra},
    )


def test_it_deactivates_a_code_instead_of_deleting_it(client, administrator, catalogue):
    appl = catalogue["appl"]
    client.force_login(administrator)
    response = set_active(client, "problem-code", appl, False)
    appl.refresh_from_db()
    assert response.status_code == 302
    assert appl.is_active is False
    assert appl.updated_by == administrator


def test_a_deactivated_department_hides_its_codes_from_picking(client, administrator, catalogue):
    from hierarchy.models import ProblemCode

    client.force_login(administrator)
    set_active(client, "department", catalogue["department"], False)
    assert not ProblemCode.objects.usable().filter(code="APPL").exists()
    set_active(client, "department", catalogue["department"], True)
    assert ProblemCode.objects.usable().filter(code="APPL").exists()


def test_it_refuses_to_reactivate_under_an_inactive_parent(client, administrator, catalogue):
    client.force_login(administrator)
    set_active(client, "problem-code", catalogue["appl"], False)
    set_active(client, "category", catalogue["category"], False)

    response = set_active(client, "problem-code", catalogue["appl"], True)

    catalogue["appl"].refresh_from_db()
    assert catalogue["appl"].is_active is False
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("is inactive. Reactivate it first" in message for message in messages)


def test_it_returns_to_a_safe_next_page_only(client, administrator, catalogue):
    client.force_login(administrator)
    inside = set_active(client, "problem-code", catalogue["appl"], False, next="/catalogue/")
    outside = set_active(
        client, "problem-code", catalogue["appl"], True, next="https://evil.example/"
    )
    assert inside.url == "/catalogue/"
    assert outside.url == catalogue["appl"].get_absolute_url()


def test_it_accepts_only_post(client, administrator, catalogue):
    client.force_login(administrator)
    url = reverse("hierarchy:item_set_active", args=["problem-code", catalogue["appl"].pk])
    assert client.get(url).status_code == 405


def test_agents_cannot_deactivate(client, agent, catalogue):
    client.force_login(agent)
    assert set_active(client, "problem-code", catalogue["appl"], False).status_code == 403
    catalogue["appl"].refresh_from_db()
    assert catalogue["appl"].is_active
