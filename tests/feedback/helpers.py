from requests_app.models import Status
from requests_app.services import request_save
from tests.factories import searched_request


def finished_request(agent, *, status=Status.RESOLVED, **values):
    """An information request saved as resolved (or `status`) with the caller's details."""
    request = searched_request(agent)
    return request_save(
        request=request,
        values={"status": status, "caller_name": "Kari Nordmann", **values},
        expected_version=request.version,
        user=agent,
    )
