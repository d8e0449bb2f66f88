"""What requests_app tells the apps built on it, which it may not import (they sit to its right
in the direction of dependency, docs/design.md): they listen instead. Not for domain rules,
which stay in requests_app.services; for figures derived from requests, such as the reports' day
counts."""

from django.dispatch import Signal

# Sent by the services inside the transaction that changed requests (started one, or changed
# its type, channel, problem code, agent or finish). Listeners act once it commits.
requests_changed = Signal()
