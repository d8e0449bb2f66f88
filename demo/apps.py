from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and benchmark data: the end of the chain of dependency. It may import every app,
    and no app imports it."""

    name = "demo"
    verbose_name = "Demo data"
