"""An explicit extension point: an app offers one for something that happens in it (a work order
completed, a request finished), apps later in the order of dependency register a named handler in
their AppConfig.ready(), and the app calls them inside its own transaction. Not a signal: the
handlers are few, named and typed, called in the order registered, and their failure is the
caller's."""

from typing import Generic, TypeVar

Handler = TypeVar("Handler")


class ExtensionPoint(Generic[Handler]):
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(self, name: str, handler: Handler) -> None:
        """Once per name: AppConfig.ready() may run more than once."""
        self._handlers[name] = handler

    def handlers(self) -> dict[str, Handler]:
        """The registered handlers by name, for the tests and for a reader wondering what runs."""
        return dict(self._handlers)

    def call(self, **arguments) -> None:
        for handler in self._handlers.values():
            handler(**arguments)
