import factory
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User

from callcenter.roles import sync_roles
from hierarchy.models import (
    Department,
    Priority,
    ProblemCode,
    ServiceCategory,
    ServiceProvider,
    StandardWorkOrder,
)
from requests_app.models import Customer, CustomerPhone


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("demo")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if create and extracted:
            user.groups.add(Group.objects.get(name=extracted))


def user_with_role(role: str, username: str | None = None) -> User:
    if not Group.objects.filter(name=role).exists():
        # A transactional test (browser tests) flushed what the data migration made.
        sync_roles(django_apps)
    return UserFactory(username=username or role.lower(), role=role)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")


class ServiceProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceProvider

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Provider {n}")


class ServiceCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCategory

    provider = factory.SubFactory(ServiceProviderFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class StandardWorkOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StandardWorkOrder

    title = factory.Sequence(lambda n: f"Standard work order {n}")
    trade = "General"
    priority = Priority.NORMAL


class ProblemCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProblemCode

    category = factory.SubFactory(ServiceCategoryFactory)
    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"Problem {n}")
    priority = Priority.NORMAL


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")


def customer_with_phone(number: str, **values) -> Customer:
    customer = CustomerFactory(**values)
    CustomerPhone.objects.create(customer=customer, number=number)
    return customer
