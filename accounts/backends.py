from axes.backends import AxesStandaloneBackend


class LoginAttemptBackend(AxesStandaloneBackend):
    """django-axes' check of locked logins, for logins made through a request (the login pages).

    Code that checks a password without a request (a management command, a shell, the test
    client's login) is no way for a stranger to guess; axes would refuse it with an error."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
