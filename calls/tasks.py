"""Background work for the calls, run by the task worker (`manage.py db_worker`): a recorded
call's audio is turned into its recording once the call has ended, and recordings kept long
enough are deleted."""

import logging
from datetime import timedelta

from django_tasks import task

from calls import clock
from calls.models import Call
from calls.recordings import (
    NoAudio,
    RecordingError,
    leftover_call_ids,
    recording_in_progress,
    set_aside,
)
from calls.services import call_recording_save, call_recordings_delete_expired

logger = logging.getLogger(__name__)

# rtpengine finishes a call's recording when the phone system tells it the call is over, about
# when the call's end is reported here: the first look is a little later, then every few
# seconds for a while.
FIRST_LOOK_SECONDS = 2
LOOK_AGAIN_SECONDS = 5
LOOKS = 24
# A finished recording still unconverted this long after rtpengine wrote it lost its task (the
# call's end never reported): the next recording stored asks for it.
LEFTOVER_SECONDS = 300


def _enqueue(task_, *args, run_after=None, **kwargs):
    if run_after is not None and task_.get_backend().supports_defer:
        task_ = task_.using(run_after=run_after)
    return task_.enqueue(*args, **kwargs)


@task()
def store_recording(call_id: str, look: int = 1) -> str:
    """Turns rtpengine's recording of the call into the call's recording, and asks for the
    recordings' deletion for when this one has been kept long enough. Looks again a little
    later while rtpengine may still be writing it."""
    call = Call.objects.filter(call_id=call_id).first()
    if call is None:
        return "no such call"
    try:
        recording = call_recording_save(call=call)
    except NoAudio as error:
        logger.info("call %s: %s", call_id, error)
        return "no audio"
    except RecordingError:
        logger.exception("call %s: its recording cannot be read; set aside", call_id)
        set_aside(call_id)
        return "unreadable"
    if recording is None:
        if look < LOOKS or recording_in_progress(call_id):
            _enqueue(
                store_recording,
                call_id,
                look + 1,
                run_after=clock.now() + timedelta(seconds=LOOK_AGAIN_SECONDS),
            )
            return "not yet"
        logger.warning("call %s: recorded, but rtpengine left no recording of it", call_id)
        return "none"
    _enqueue(delete_expired_recordings, run_after=recording.delete_after)
    not_after = (clock.now() - timedelta(seconds=LEFTOVER_SECONDS)).timestamp()
    for leftover in leftover_call_ids(not_after):
        if leftover != call_id and Call.objects.filter(call_id=leftover).exists():
            _enqueue(store_recording, leftover, LOOKS)
    return "stored"


@task()
def delete_expired_recordings() -> int:
    """Deletes every recording kept long enough (queued for when each recording expires)."""
    return call_recordings_delete_expired()


def store_recording_soon(call_id: str) -> None:
    """Asks the worker to store the call's recording a little after its end was reported."""
    _enqueue(
        store_recording, call_id, run_after=clock.now() + timedelta(seconds=FIRST_LOOK_SECONDS)
    )
