import pytest

from feedback.services import feedback_setting_save
from requests_app.models import Channel, RequestType


@pytest.fixture
def asking(db, supervisor):
    """Information requests by phone and e-mail ask for feedback."""
    return feedback_setting_save(
        request_type=RequestType.INFORMATION,
        channels=[Channel.PHONE, Channel.EMAIL],
        expected_version=1,
        user=supervisor,
    )
