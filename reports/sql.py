"""SQL the reports need that Django does not spell the same on PostgreSQL and SQLite."""

import statistics

from django.db.models import Aggregate, FloatField, Func


class SecondsBetween(Func):
    """The seconds from start to end, as a float."""

    output_field = FloatField()
    arity = 2

    def __init__(self, start, end):
        super().__init__(end, start)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="EXTRACT(EPOCH FROM (%(expressions)s))", arg_joiner=" - "
        )

    def as_sqlite(self, compiler, connection, **extra):
        # The ISO strings SQLite keeps; julianday() reads them, in days.
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
        )


class Median(Aggregate):
    """The median of an expression: percentile_cont on PostgreSQL, a registered aggregate on
    SQLite (register_sqlite_functions)."""

    function = "median"
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        ordered_set = self.copy()
        ordered_set.template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
        return ordered_set.as_sql(compiler, connection, **extra)


class _SQLiteMedian:
    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("median", 1, _SQLiteMedian)
