"""What feedback tells the apps built on it, which it may not import: they listen instead (as
requests_app.signals). For figures derived from feedback, such as the reports' day counts."""

from django.dispatch import Signal

# Sent by the services inside the transaction that sent an invitation or kept an answer.
# Listeners act once it commits.
feedback_changed = Signal()
