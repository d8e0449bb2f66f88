"""Callers become customers, and requests are found by their work address.

1. `work_address_key`: the work address folded as the duplicate check folds it. An action
   request's work order has its key already (workorders.addresses.address_key of the address it
   was reported at, which its linked requests share), so it is copied in one UPDATE. A work
   address without a work order (typed in a section the request's type hides) keeps an empty
   key until the request is saved again.
2. Requests whose caller gave a phone number or an e-mail address and that have no customer get
   one, as request_save now does for every new save: the one customer with the number or the
   address, else a new customer per number (then per address, for callers who gave no number),
   named by the caller's latest name, or by the number as dialled at home ("030 1234567" without
   the space) while nobody knows the name. Requests matching several customers stay unlinked:
   the agent chooses on the next save. No history rows: there is no agent who made the change.
3. Trigram indexes (PostgreSQL): customers' names for the caller lookup's word search, and the
   work-address key for the request list's search.

Set-based SQL only, the same on PostgreSQL and SQLite (window functions, UPDATE ... FROM): a
million requests take seconds, not a loop per row. Copied SQL, not the application's code, as
migrations must.
"""

import phonenumbers
from django.conf import settings
from django.db import migrations, models

REQUEST = "requests_app_customerrequest"
CUSTOMER = "requests_app_customer"
PHONE = "requests_app_customerphone"
WORK_ORDER = "workorders_workorder"


def fill_work_address_keys(apps, schema_editor):
    schema_editor.execute(
        f"UPDATE {REQUEST} SET work_address_key = w.address_key FROM {WORK_ORDER} w "
        f"WHERE w.id = {REQUEST}.work_order_id"
    )


def link_matching_callers(run) -> None:
    """Unlinked requests and how many customers have their number or address (caller_match);
    those with exactly one are linked to them."""
    run("DROP TABLE IF EXISTS caller_match")
    run(
        f"""CREATE TEMP TABLE caller_match AS
        SELECT request_id, MIN(customer_id) AS customer_id,
               COUNT(DISTINCT customer_id) AS customers
        FROM (
            SELECT r.id AS request_id, p.customer_id AS customer_id
            FROM {REQUEST} r JOIN {PHONE} p ON p.number = r.caller_phone
            WHERE r.customer_id IS NULL AND r.caller_phone <> ''
            UNION ALL
            SELECT r.id, c.id
            FROM {REQUEST} r JOIN {CUSTOMER} c ON c.email = r.caller_email
            WHERE r.customer_id IS NULL AND r.caller_email <> ''
        ) matched
        GROUP BY request_id"""
    )
    run(
        f"UPDATE {REQUEST} SET customer_id = m.customer_id FROM caller_match m "
        f"WHERE m.request_id = {REQUEST}.id AND m.customers = 1"
    )


def create_callers(run, *, by: str, unnamed: str, language: str, phones: bool) -> None:
    """A customer for each number (by="caller_phone") or address (by="caller_email") of the
    requests still without one that no customer matched, and the requests linked to it."""
    only_address = "AND caller_phone = ''" if by == "caller_email" else ""
    run("DROP TABLE IF EXISTS new_caller")
    run(
        f"""CREATE TEMP TABLE new_caller AS
        SELECT COALESCE((SELECT MAX(id) FROM {CUSTOMER}), 0)
                   + ROW_NUMBER() OVER (ORDER BY first_call, caller) AS id,
               caller, name, email, first_call
        FROM (
            SELECT {by} AS caller,
                   FIRST_VALUE(caller_name) OVER (
                       PARTITION BY {by} ORDER BY caller_name = '', started_at DESC, id DESC
                   ) AS name,
                   FIRST_VALUE(caller_email) OVER (
                       PARTITION BY {by} ORDER BY caller_email = '', started_at DESC, id DESC
                   ) AS email,
                   MIN(started_at) OVER (PARTITION BY {by}) AS first_call,
                   ROW_NUMBER() OVER (PARTITION BY {by} ORDER BY id) AS nth
            FROM {REQUEST}
            WHERE customer_id IS NULL AND {by} <> '' {only_address}
              AND NOT EXISTS (SELECT 1 FROM caller_match m WHERE m.request_id = {REQUEST}.id)
        ) calls
        WHERE nth = 1"""
    )
    run(
        f"""INSERT INTO {CUSTOMER} (id, name, email, second_email, postal_address,
            address_alias, preferred_language, notes, created_at, updated_at, version)
        SELECT id, CASE WHEN name <> '' THEN name ELSE {unnamed} END, email, '', '', '',
               %s, '', first_call, first_call, 1
        FROM new_caller""",
        [language],
    )
    if phones:
        run(
            f"INSERT INTO {PHONE} (customer_id, number, position) "
            "SELECT id, caller, 0 FROM new_caller"
        )
    run(
        f"""UPDATE {REQUEST} SET customer_id = n.id FROM new_caller n
        WHERE n.caller = {REQUEST}.{by} AND {REQUEST}.customer_id IS NULL {only_address}
          AND NOT EXISTS (SELECT 1 FROM caller_match m WHERE m.request_id = {REQUEST}.id)"""
    )


def callers_become_customers(apps, schema_editor):
    connection = schema_editor.connection

    def run(sql: str, params=None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    region = settings.PHONE_DEFAULT_REGION
    home = f"+{phonenumbers.country_code_for_region(region)}"
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    trunk = (metadata.national_prefix if metadata else "") or ""
    # The number as dialled at home ("0301234567" for "+49301234567"), others in E.164.
    unnamed_phone = (
        f"CASE WHEN caller LIKE '{home}%%' THEN '{trunk}' || SUBSTR(caller, {len(home) + 1}) "
        "ELSE caller END"
    )
    language = settings.LANGUAGE_CODE

    link_matching_callers(run)
    create_callers(run, by="caller_phone", unnamed=unnamed_phone, language=language, phones=True)
    # An address given with a number that became a customer just now finds that customer.
    link_matching_callers(run)
    create_callers(run, by="caller_email", unnamed="caller", language=language, phones=False)
    run("DROP TABLE IF EXISTS caller_match")
    run("DROP TABLE IF EXISTS new_caller")
    if connection.vendor == "postgresql":
        run(
            f"SELECT setval(pg_get_serial_sequence('{CUSTOMER}', 'id'), "
            f"(SELECT MAX(id) FROM {CUSTOMER}))"
        )


TRIGRAM_INDEXES = {
    "customer_name_trgm": f"{CUSTOMER} USING gin (name gin_trgm_ops)",
    "request_work_address_key_trgm": f"{REQUEST} USING gin (work_address_key gin_trgm_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The links just made are checked now, not at the commit: PostgreSQL builds no index on a
    # table with checks pending.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in TRIGRAM_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0008_request_discarded"),
        ("workorders", "0003_text_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="customerrequest",
            name="work_address_key",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.RunPython(fill_work_address_keys, migrations.RunPython.noop),
        migrations.RunPython(callers_become_customers, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
