"""Form widgets every app uses."""

from django import forms


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker, in local time."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
