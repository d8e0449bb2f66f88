"""The mailboxes page: administrators list, add and change the addresses customers write to."""

import pytest
from django.urls import reverse

from mail.models import Mailbox
from mail.services import mailbox_save
from requests_app.models import RequestType

pytestmark = pytest.mark.django_db

LIST = reverse("mail:mailbox_list")
NEW = reverse("mail:mailbox_new")


def form_data(**changes) -> dict:
    return {
        "address": "Service@City.example",
        "name": "City service desk",
        "imap_host": "imap.city.example",
        "imap_port": "993",
        "imap_ssl": "on",
        "imap_user": "service",
        "password_variable": "SERVICE_IMAP_PASSWORD",
        "folder": "INBOX",
        "request_type": RequestType.INFORMATION,
        "language": "en",
        "fax_senders": "fax-gateway@telco.example\n@faxes.example",
        "active": "on",
        **changes,
    }


def test_an_administrator_adds_a_mailbox(client, administrator):
    client.force_login(administrator)
    response = client.post(NEW, form_data())
    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert mailbox.address == "service@city.example"
    assert mailbox.password_variable == "SERVICE_IMAP_PASSWORD"
    assert mailbox.is_fax_sender("anyone@faxes.example")
    html = client.get(LIST).content.decode()
    assert "service@city.example" in html and "imap.city.example:993" in html


def test_the_password_comes_from_the_environment(mailbox, monkeypatch):
    mailbox = mailbox_save(
        mailbox=mailbox, values={"password_variable": "DESK_IMAP_PASSWORD"}, expected_version=1
    )
    assert mailbox.password() == ""
    monkeypatch.setenv("DESK_IMAP_PASSWORD", "s3cret")
    assert mailbox.password() == "s3cret"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("address", "not-an-address"),
        ("request_type", RequestType.ACTION),
        ("fax_senders", "fax-gateway@telco.example\nnonsense"),
        ("password_variable", "my password"),
        ("imap_port", "abc"),
        ("name", "Desk\r\nBcc: everyone@example.no"),
    ],
)
def test_wrong_values_are_named_by_their_field(client, administrator, field, value):
    client.force_login(administrator)
    response = client.post(NEW, form_data(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Mailbox.objects.exists()


def test_two_mailboxes_cannot_share_an_address(client, administrator, mailbox):
    client.force_login(administrator)
    response = client.post(NEW, form_data(address="service@city.example"))
    assert "address" in response.context["form"].errors
    assert Mailbox.objects.count() == 1


def test_a_change_saved_meanwhile_is_shown_not_overwritten(client, administrator, mailbox):
    client.force_login(administrator)
    url = reverse("mail:mailbox_edit", args=[mailbox.pk])
    opened_version = mailbox.version
    mailbox_save(mailbox=mailbox, values={"name": "Renamed"}, expected_version=opened_version)
    response = client.post(
        url, form_data(address=mailbox.address, name="Mine", version=opened_version)
    )
    assert response.status_code == 200
    assert "Saved by someone else meanwhile" in response.content.decode()
    mailbox.refresh_from_db()
    assert mailbox.name == "Renamed"
    # Saved again knowingly, at the version now shown.
    response = client.post(
        url, form_data(address=mailbox.address, name="Mine", version=mailbox.version)
    )
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.name == "Mine"


@pytest.mark.parametrize("role", ["agent", "supervisor", "manager", "outsider"])
def test_only_administrators_keep_mailboxes(client, request, role, mailbox):
    client.force_login(request.getfixturevalue(role))
    assert client.get(LIST).status_code == 403
    assert client.post(NEW, form_data(address="x@city.example")).status_code == 403
    edit = reverse("mail:mailbox_edit", args=[mailbox.pk])
    assert client.post(edit, form_data(name="Mine", version=1)).status_code == 403
    assert Mailbox.objects.get().name == "City service desk"


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_administrators_find_the_page_in_the_navigation(client, administrator):
    client.force_login(administrator)
    assert f'href="{LIST}"' in client.get(reverse("home"), follow=True).content.decode()


def test_the_list_answers_htmx_with_its_results(client, administrator, mailbox):
    client.force_login(administrator)
    response = client.get(LIST, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert "service@city.example" in html
