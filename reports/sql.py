"""SQL the reports need that Django does not spell the same on PostgreSQL and SQLite."""

from django.db.models import FloatField, Func


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
