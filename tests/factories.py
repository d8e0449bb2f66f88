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
from knowledgebase.models import ArticleKind
from knowledgebase.services import article_create, article_publish
from requests_app.models import Customer, CustomerPhone, CustomerRequest
from requests_app.services import request_searched_knowledge, request_start


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


def searched_request(agent: User) -> CustomerRequest:
    """A new request from which the agent has searched the knowledge base, so that it may be
    resolved as an information request."""
    request = request_start(agent=agent)
    request_searched_knowledge(request)
    request.refresh_from_db()
    return request


def article(user: User, title: str, *, publish: bool = True, problem_codes=(), **values):
    """An article written through the services (so that search finds it), published unless
    publish=False. A call script unless `kind` says otherwise."""
    values = {"kind": ArticleKind.SCRIPT, "title": title, "body": f"About {title}.", **values}
    written = article_create(
        values=values, relations={"problem_codes": list(problem_codes)}, user=user
    )
    return article_publish(article=written, user=user) if publish else written
