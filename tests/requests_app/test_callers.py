import pytest
from django.urls import reverse

from requests_app.models import Customer, RequestType, Status
from requests_app.services import request_save, request_start
from tests.factories import CustomerFactory, customer_with_phone, searched_request

pytestmark = pytest.mark.django_db


def lookup(client, **typed):
    return client.get(reverse("requests_app:caller_lookup"), typed, headers={"HX-Request": "true"})


@pytest.mark.parametrize("typed", ["0049 30 1234567", "+49 (30) 123-4567", "030 1234567"])
def test_a_caller_is_found_by_a_number_typed_any_way(client, agent, typed):
    customer_with_phone("+49301234567", name="Grace Hopper")
    client.force_login(agent)
    response = lookup(client, caller_phone=typed)
    assert b"<html" not in response.content
    assert "Grace Hopper" in response.content.decode()


def test_a_caller_is_found_by_e_mail_and_by_the_start_of_the_name(client, agent):
    CustomerFactory(name="Grace Hopper", email="grace@example.org")
    CustomerFactory(name="Alan Turing")
    client.force_login(agent)
    assert "Grace Hopper" in lookup(client, caller_email="Grace@Example.org").content.decode()
    by_name = lookup(client, caller_name="gra").content.decode()
    assert "Grace Hopper" in by_name
    assert "Alan Turing" not in by_name


def test_matches_show_open_requests_before_older_ones(client, agent):
    customer = customer_with_phone("+49301234567", name="Grace Hopper")
    old = searched_request(agent)
    request_save(
        request=old,
        values={"customer": customer, "status": Status.CLOSED, "answer_given": "x"},
        expected_version=old.version,
        user=agent,
    )
    open_one = request_start(agent=agent)
    open_one.customer = customer
    open_one.save()
    client.force_login(agent)
    page = lookup(client, caller_phone="030 1234567").content.decode()
    assert page.index(open_one.number) < page.index(old.number)


def test_it_says_when_nobody_matches(client, agent):
    client.force_login(agent)
    assert "No known caller matches" in lookup(client, caller_name="Nobody").content.decode()


def test_the_lookup_needs_a_request_taker(client, manager):
    client.force_login(manager)
    assert lookup(client, caller_name="Grace").status_code == 403


def test_the_customer_page_lists_interactions_newest_first(client, agent):
    customer = customer_with_phone("+49301234567", name="Grace Hopper")
    first, second = request_start(agent=agent), request_start(agent=agent)
    for customer_request in (first, second):
        customer_request.customer = customer
        customer_request.save()
    client.force_login(agent)
    response = client.get(customer.get_absolute_url())
    assert response.context["page"].object_list == [second, first]
    assert "030 1234567" in response.content.decode()


def test_a_customer_is_edited_with_normalised_phones(client, agent):
    customer = customer_with_phone("+49301234567", name="Grace Hopper")
    client.force_login(agent)
    response = client.post(
        reverse("requests_app:customer_edit", args=[customer.pk]),
        {
            "version": customer.version,
            "name": "Grace B. Hopper",
            "email": "",
            "second_email": "",
            "postal_address": "1 Navy Way",
            "address_alias": "",
            "preferred_language": "en",
            "notes": "",
            "phone_1": "030 1234567",
            "phone_2": "0151 23456789",
            "phone_3": "",
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "Grace B. Hopper"
    assert list(customer.phones.values_list("number", flat=True)) == [
        "+49301234567",
        "+4915123456789",
    ]


def test_a_bad_customer_phone_is_named(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("requests_app:customer_create"),
        {"name": "X", "preferred_language": "en", "phone_1": "abc"},
    )
    assert "phone_1" in response.context["form"].errors
    assert not Customer.objects.exists()


def test_a_customer_saved_meanwhile_is_not_overwritten_unseen(client, agent, supervisor):
    customer = customer_with_phone("+49301234567", name="Grace Hopper")
    url = reverse("requests_app:customer_edit", args=[customer.pk])
    opened = {
        "version": customer.version,
        "email": "",
        "second_email": "",
        "postal_address": "",
        "address_alias": "",
        "preferred_language": "en",
        "notes": "",
        "phone_1": "030 1234567",
    }
    client.force_login(agent)
    client.post(url, {**opened, "name": "Grace M. Hopper"})
    client.force_login(supervisor)
    response = client.post(url, {**opened, "name": "Admiral Hopper"})
    assert "Someone else saved this customer meanwhile" in response.content.decode()
    assert response.context["form"]["name"].value() == "Admiral Hopper"
    customer.refresh_from_db()
    assert customer.name == "Grace M. Hopper"


def test_the_phone_lookup_stays_a_handful_of_queries(client, agent, django_assert_max_num_queries):
    customer = customer_with_phone("+49301234567", name="Grace Hopper")
    for _ in range(3):
        customer_request = request_start(agent=agent)
        customer_request.customer = customer
        customer_request.save()
    client.force_login(agent)
    # Session, user, two for permissions, then customers, their phones, their requests.
    with django_assert_max_num_queries(7):
        assert "Grace Hopper" in lookup(client, caller_phone="030 1234567").content.decode()


@pytest.mark.parametrize("typed", ["Maier", "erika", "maier erika", "Eri Mai"])
def test_a_caller_is_found_by_any_word_of_the_name(client, agent, typed):
    CustomerFactory(name="Erika Maier")
    CustomerFactory(name="Anne-Marie Maierhofer")
    CustomerFactory(name="Hans Kaiser")
    client.force_login(agent)
    page = lookup(client, caller_name=typed).content.decode()
    assert "Erika Maier" in page
    assert "Hans Kaiser" not in page


def test_a_name_word_is_found_after_a_hyphen_but_not_inside_a_word(client, agent):
    CustomerFactory(name="Anne-Marie Dupont")
    client.force_login(agent)
    assert "Anne-Marie Dupont" in lookup(client, caller_name="marie").content.decode()
    assert "No known caller" in lookup(client, caller_name="arie").content.decode()


def test_a_name_with_regular_expression_characters_is_a_plain_search(client, agent):
    CustomerFactory(name="Erika Maier")
    client.force_login(agent)
    for typed in ["(Maier", "Mai*", "[a-z]", "\\w+", "Maier)"]:
        response = lookup(client, caller_name=typed)
        assert response.status_code == 200
        assert "Erika Maier" not in response.content.decode()


def form_data(customer_request, **overrides) -> dict:
    data = {
        "version": customer_request.version,
        "request_type": RequestType.INFORMATION,
        "channel": "phone",
        "customer": "",
        "caller_phone": "",
        "caller_email": "",
        "caller_name": "",
        "problem_code": "",
        "work_address": "",
        "description": "",
        "comment": "",
        "answer_given": "",
        "status": Status.OPEN,
        "follow_up_due": "",
        "follow_up_assignee": "",
        "reason": "",
    }
    return {**data, **overrides}


def save_form(client, customer_request, **values):
    return client.post(
        reverse("requests_app:request_edit", args=[customer_request.pk]),
        form_data(customer_request, **values),
    )


def test_a_caller_saved_once_is_found_by_the_number_typed_another_way(client, agent):
    first = request_start(agent=agent)
    client.force_login(agent)
    assert save_form(client, first, caller_phone="+47 22 12 34 56").status_code == 302
    customer = Customer.objects.get()
    first.refresh_from_db()
    assert first.customer == customer
    page = lookup(client, caller_phone="0047 22123456").content.decode()
    assert "+47 22 12 34 56" in page
    assert first.number in page
    assert f'name="pick_customer" value="{customer.pk}"' in page


def test_a_caller_of_several_customers_is_refused_with_them_offered(client, agent):
    grace = customer_with_phone("+49301234567", name="Grace Hopper")
    customer_with_phone("+49301234567", name="Ada Lovelace")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    response = save_form(
        client, customer_request, caller_phone="030 1234567", description="Typed while talking"
    )
    assert response.status_code == 200
    assert "choose the caller" in response.context["form"].errors["caller_phone"][0]
    page = response.content.decode()
    assert "Typed while talking" in page
    assert 'value="030 1234567"' in page
    assert page.count('name="pick_customer"') == 2
    customer_request.refresh_from_db()
    assert (customer_request.customer, customer_request.description) == (None, "")

    chosen = client.post(
        reverse("requests_app:request_edit", args=[customer_request.pk]),
        {
            **form_data(customer_request, caller_phone="030 1234567", description="Typed"),
            "pick_customer": grace.pk,
        },
    )
    assert chosen.status_code == 302
    customer_request.refresh_from_db()
    assert customer_request.customer == grace
    assert Customer.objects.count() == 2


def test_the_request_form_offers_no_save_as_new_contact(client, agent):
    client.force_login(agent)
    page = client.get(
        reverse("requests_app:request_edit", args=[request_start(agent=agent).pk])
    ).content.decode()
    assert "save_contact" not in page


def test_two_letters_alone_find_no_name_but_beside_a_longer_word_they_count(client, agent):
    CustomerFactory(name="Erika Maier")
    CustomerFactory(name="Erika Schulz")
    client.force_login(agent)
    assert "No known caller" in lookup(client, caller_name="Ma").content.decode()
    both = lookup(client, caller_name="Ma Erika").content.decode()
    assert "Erika Maier" in both
    assert "Erika Schulz" not in both


def test_name_matches_are_shown_in_the_order_of_the_alphabet(client, agent):
    for name in ["Erika Maier", "Anton Maier", "Maier Zoe", "Bernd Maier"]:
        CustomerFactory(name=name)
    client.force_login(agent)
    page = lookup(client, caller_name="maier").content.decode()
    shown = ["Anton Maier", "Bernd Maier", "Erika Maier", "Maier Zoe"]
    assert sorted(shown, key=page.index) == shown
