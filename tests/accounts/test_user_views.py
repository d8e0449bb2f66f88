import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from accounts.models import Session
from accounts.services import user_fingerprint, user_roles
from callcenter import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "cobalt-harbour-lantern-42"
LIST = reverse("accounts:user_list")
CREATE = reverse("accounts:user_create")


def edit_url(user: User) -> str:
    return reverse("accounts:user_edit", args=[user.pk])


def edit_data(user: User, **values) -> dict:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "roles": user_roles(user),
        "fingerprint": user_fingerprint(user),
        **values,
    }


# The list ----------------------------------------------------------------------------------------


def test_administrators_see_the_users_in_the_navigation(client, administrator, agent):
    client.force_login(administrator)
    assert 'href="/users/">Users</a>' in client.get(reverse("hierarchy:tree")).content.decode()
    client.force_login(agent)
    assert 'href="/users/"' not in client.get(reverse("hierarchy:tree")).content.decode()


def test_the_list_shows_users_with_roles_and_status(client, administrator, agent):
    UserFactory(username="gone", is_active=False, role=roles.MANAGER)
    client.force_login(administrator)
    response = client.get(LIST)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" in content
    assert f'href="{reverse("accounts:user_detail", args=[agent.pk])}">agent</a>' in content
    assert "Inactive" in content
    assert "Manager" in content


def test_the_list_answers_htmx_with_its_results_only(client, administrator, agent):
    client.force_login(administrator)
    response = client.get(LIST, {"q": "age"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content
    assert 'id="results"' in content
    assert ">agent</a>" in content
    assert ">admin</a>" not in content


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"q": "Ann Lee"}, ["alee"], ["bob"]),
        ({"q": "bob"}, ["bob"], ["alee"]),
        ({"role": roles.MANAGER}, ["bob"], ["alee", "agent"]),
        ({"active": "no"}, ["bob"], ["alee"]),
        ({"active": "yes"}, ["alee"], ["bob"]),
    ],
)
def test_the_list_filters_by_name_role_and_status(
    client, administrator, agent, query, shown, hidden
):
    UserFactory(username="alee", first_name="Ann", last_name="Lee", role=roles.AGENT)
    UserFactory(username="bob", is_active=False, role=roles.MANAGER)
    client.force_login(administrator)
    content = client.get(LIST, query).content.decode()
    for name in shown:
        assert f">{name}</a>" in content
    for name in hidden:
        assert f">{name}</a>" not in content


@pytest.mark.parametrize(
    "query",
    [
        {"page": "99999999999999999999"},
        {"page": "²"},
        {"page": "-1"},
        {"q": "a\x00b"},
        {"role": "Superuser"},
        {"active": "\x00"},
        {"q": "x" * 10_000},
    ],
)
def test_hostile_filters_give_a_page_not_an_error(client, administrator, query):
    client.force_login(administrator)
    assert client.get(LIST, query).status_code == 200


def test_the_list_is_paginated(client, administrator):
    for number in range(55):
        UserFactory(username=f"bulk{number:02d}")
    client.force_login(administrator)
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": "2"}).content.decode()
    assert 'rel="next"' in first
    assert ">bulk00</a>" in first
    assert ">outsider</a>" not in first
    assert ">outsider</a>" not in second or ">bulk00</a>" not in second


@pytest.mark.parametrize("role_user", ["agent", "supervisor", "manager", "outsider"])
def test_only_administrators_reach_the_users_pages(client, request, role_user, administrator):
    user = request.getfixturevalue(role_user)
    client.force_login(user)
    for url in [
        LIST,
        CREATE,
        reverse("accounts:user_detail", args=[administrator.pk]),
        edit_url(administrator),
        reverse("accounts:user_password", args=[administrator.pk]),
    ]:
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("accounts:user_set_active", args=[administrator.pk]),
        {"active": "0", "fingerprint": user_fingerprint(administrator)},
    )
    assert response.status_code == 403
    administrator.refresh_from_db()
    assert administrator.is_active


def test_anonymous_visitors_are_sent_to_the_login(client, agent):
    for url in [LIST, CREATE, edit_url(agent)]:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response.url


def test_an_unknown_user_is_a_404(client, administrator):
    client.force_login(administrator)
    for pk in [0, 2147483648, 9223372036854775808, 99999999999999999999]:
        assert client.get(f"/users/{pk}/").status_code == 404
        assert client.get(f"/users/{pk}/edit/").status_code == 404


# Creating ----------------------------------------------------------------------------------------


def create_data(**values) -> dict:
    return {
        "username": "jdoe",
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@example.org",
        "roles": [roles.AGENT],
        "password": GOOD_PASSWORD,
        "password_again": GOOD_PASSWORD,
        **values,
    }


def test_the_create_form_offers_the_four_roles_and_nothing_more(client, administrator):
    client.force_login(administrator)
    content = client.get(CREATE).content.decode()
    for role in roles.LABELS:
        assert f'value="{role}"' in content
    for name in ["is_superuser", "is_staff", "user_permissions", 'name="groups"']:
        assert name not in content
    assert "<legend>Roles" in content
    assert 'autocomplete="new-password"' in content


def test_an_administrator_creates_a_user(client, administrator):
    client.force_login(administrator)
    response = client.post(CREATE, create_data(roles=[roles.AGENT, roles.MANAGER]))
    user = User.objects.get(username="jdoe")
    assert response.status_code == 302
    assert response.url == reverse("accounts:user_detail", args=[user.pk])
    assert user_roles(user) == [roles.AGENT, roles.MANAGER]
    assert user.check_password(GOOD_PASSWORD)
    assert user.is_active and not user.is_staff and not user.is_superuser


def test_creating_over_htmx_redirects_the_page(client, administrator):
    client.force_login(administrator)
    response = client.post(CREATE, create_data(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/users/")
    assert User.objects.filter(username="jdoe").exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"password_again": "something-else-entirely"}, "The two passwords differ."),
        ({"password": "short", "password_again": "short"}, "at least 10 characters"),
        ({"password": "password1234", "password_again": "password1234"}, "too common"),
        ({"username": "ADMIN"}, "A user with that username already exists."),
        ({"roles": []}, "Choose at least one role."),
        ({"roles": ["Superuser"]}, "is not one of the available choices"),
        ({"email": "x" * 300}, "at most"),
    ],
)
def test_a_refused_new_user_keeps_what_was_typed(client, administrator, values, message):
    client.force_login(administrator)
    response = client.post(CREATE, create_data(**values))
    content = response.content.decode()
    assert response.status_code == 200
    assert message in content
    assert 'value="Jane"' in content
    assert not User.objects.filter(first_name="Jane").exists()


# Editing -----------------------------------------------------------------------------------------


def test_an_administrator_sets_someones_roles(client, administrator, agent):
    client.force_login(administrator)
    response = client.post(
        edit_url(agent), edit_data(agent, roles=[roles.SUPERVISOR], first_name="Anna")
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert user_roles(agent) == [roles.SUPERVISOR]
    assert agent.first_name == "Anna"


def test_the_edit_form_shows_the_current_roles_checked(client, administrator, agent):
    client.force_login(administrator)
    content = client.get(edit_url(agent)).content.decode()
    assert 'value="Agent" id="id_roles_0" checked' in content
    assert 'value="Supervisor" id="id_roles_1">' in content


def test_two_administrators_editing_the_same_user_see_each_others_change(
    client, administrator, agent
):
    opened = edit_data(agent)
    other = UserFactory(username="admin2", role=roles.ADMINISTRATOR)
    client.force_login(other)
    client.post(edit_url(agent), {**opened, "roles": [roles.MANAGER], "first_name": "Theirs"})

    client.force_login(administrator)
    response = client.post(
        edit_url(agent), {**opened, "roles": [roles.SUPERVISOR], "first_name": "Mine"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Someone changed this user while you were editing it." in content
    assert "Saved by someone else meanwhile" in content
    assert "<td>Theirs</td><td>Mine</td>" in content
    assert "<td>Manager</td><td>Supervisor</td>" in content
    agent.refresh_from_db()
    assert agent.first_name == "Theirs"
    assert user_roles(agent) == [roles.MANAGER]

    # Saving again, now knowingly, keeps this administrator's version.
    again = response.context["form"]
    data = {**opened, "roles": [roles.SUPERVISOR], "first_name": "Mine"}
    data["fingerprint"] = again["fingerprint"].value()
    assert client.post(edit_url(agent), data).status_code == 302
    agent.refresh_from_db()
    assert agent.first_name == "Mine"
    assert user_roles(agent) == [roles.SUPERVISOR]


def test_an_edit_without_its_fingerprint_is_a_conflict_not_a_save(client, administrator, agent):
    client.force_login(administrator)
    data = edit_data(agent, first_name="Blind")
    del data["fingerprint"]
    response = client.post(edit_url(agent), data)
    assert "Someone changed this user" in response.content.decode()
    agent.refresh_from_db()
    assert agent.first_name == ""


# Deactivating and passwords ----------------------------------------------------------------------


def test_an_administrator_deactivates_and_reactivates_a_user(client, administrator, agent):
    from django.test import Client

    device = Client()
    device.force_login(agent)
    client.force_login(administrator)
    url = reverse("accounts:user_set_active", args=[agent.pk])

    response = client.post(url, {"active": "0", "fingerprint": user_fingerprint(agent)})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert not agent.is_active
    assert not Session.objects.filter(user=agent).exists()
    assert device.get("/catalogue/").status_code == 302
    assert "was deactivated" in client.get(response.url).content.decode()

    client.post(url, {"active": "1", "fingerprint": user_fingerprint(agent)})
    agent.refresh_from_db()
    assert agent.is_active


def test_deactivating_needs_a_post(client, administrator, agent):
    client.force_login(administrator)
    assert client.get(reverse("accounts:user_set_active", args=[agent.pk])).status_code == 405


def test_a_stale_deactivation_is_refused_with_a_message(client, administrator, agent):
    client.force_login(administrator)
    stale = user_fingerprint(agent)
    agent.first_name = "Changed"
    agent.save()
    response = client.post(
        reverse("accounts:user_set_active", args=[agent.pk]),
        {"active": "0", "fingerprint": stale},
        follow=True,
    )
    assert "Someone changed this user while you were looking at it" in response.content.decode()
    agent.refresh_from_db()
    assert agent.is_active


def test_the_detail_page_offers_no_self_deactivation(client, administrator):
    client.force_login(administrator)
    content = client.get(reverse("accounts:user_detail", args=[administrator.pk])).content
    assert b"Deactivate" not in content
    assert b"This is you." in content


def test_an_administrator_sets_a_new_password(client, administrator, agent):
    client.force_login(administrator)
    url = reverse("accounts:user_password", args=[agent.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "password": GOOD_PASSWORD,
            "password_again": GOOD_PASSWORD,
            "fingerprint": user_fingerprint(agent),
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(GOOD_PASSWORD)


def test_a_weak_new_password_is_refused_next_to_its_field(client, administrator, agent):
    client.force_login(administrator)
    response = client.post(
        reverse("accounts:user_password", args=[agent.pk]),
        {"password": "agent", "password_again": "agent", "fingerprint": user_fingerprint(agent)},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_password_error"' in content
    assert "at least 10 characters" in content
    agent.refresh_from_db()
    assert agent.check_password("demo")


def test_a_superuser_is_shown_but_not_offered_for_change(client, administrator):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(administrator)
    content = client.get(reverse("accounts:user_detail", args=[root.pk])).content.decode()
    assert "A superuser is changed only by a superuser" in content
    assert edit_url(root) not in content
    assert client.get(edit_url(root)).status_code == 403
    assert client.get(reverse("accounts:user_password", args=[root.pk])).status_code == 403


def test_a_superuser_may_use_the_page_too(client, agent):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    response = client.post(edit_url(agent), edit_data(agent, roles=[roles.MANAGER]))
    assert response.status_code == 302
    assert user_roles(agent) == [roles.MANAGER]


HOSTILE_VALUES = [
    "",
    "-1",
    "99999999999999999999",
    "²",
    "1\x00",
    "a\x01b\x1f",
    "😀 Grüße 🚒",
    "\u202eمرحبا עולם",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "a" * 1_000_000,
]


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
@pytest.mark.parametrize("name", ["username", "first_name", "last_name", "email", "roles"])
def test_hostile_values_in_the_create_form_never_give_a_server_error(
    client, administrator, name, value
):
    client.force_login(administrator)
    response = client.post(CREATE, create_data(**{name: value}))
    assert response.status_code in (200, 302)
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
@pytest.mark.parametrize(
    ("url_name", "name"),
    [
        ("accounts:user_edit", "first_name"),
        ("accounts:user_edit", "fingerprint"),
        ("accounts:user_password", "password"),
        ("accounts:user_password", "fingerprint"),
        ("accounts:user_set_active", "active"),
        ("accounts:user_set_active", "fingerprint"),
    ],
)
def test_hostile_values_in_the_change_forms_never_give_a_server_error(
    client, administrator, agent, url_name, name, value
):
    client.force_login(administrator)
    data = {
        **edit_data(agent),
        "password": GOOD_PASSWORD,
        "password_again": GOOD_PASSWORD,
        "active": "0",
        name: value,
    }
    response = client.post(reverse(url_name, args=[agent.pk]), data)
    assert response.status_code in (200, 302)
