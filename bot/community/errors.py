"""What can go wrong with a submission, as :class:`common.errors.UserError` subclasses.

No Telegram here: ``error.message(lang)`` is the sentence to show the user in Russian or English.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from common.errors import UserError
from common.i18n import Msg


class SubmissionError(UserError):
    """Base of every submission error."""


class InvalidSubmission(SubmissionError):
    """A field is unacceptable; the message names the problem and the fix. ``field`` says which."""

    field = "submission"


class InvalidTitle(InvalidSubmission):
    field = "title"


class InvalidExplanation(InvalidSubmission):
    field = "explanation"


class InvalidReason(InvalidSubmission):
    field = "reason"


class InvalidEdit(InvalidSubmission):
    """An admin's alias or related slug is unacceptable."""

    field = "edit"


class InvalidStatus(InvalidSubmission):
    field = "status"


class InvalidImage(InvalidSubmission):
    """The picture is not an image or is too large; carries the picture's own :class:`UserError`."""

    field = "image"

    def __init__(self, error: Exception):
        self.error = error
        if isinstance(error, UserError):
            super().__init__(error.key, **error.params)
        else:
            super().__init__("sub_not_picture")


class DailyLimitReached(SubmissionError):
    key = "sub_daily_limit"

    def __init__(self, limit: int, retry_at: datetime | None = None):
        self.limit = limit
        self.retry_at = retry_at
        when = Msg("when_after", {"time": f"{retry_at:%H:%M}"}) if retry_at else Msg("when_tomorrow")
        super().__init__(limit=limit, when=when)


class DuplicateMeme(SubmissionError):
    """The picture is (nearly) the same as a known meme (``kind="known"``, ``ref`` = its slug)
    or as a submission waiting for moderation (``kind="pending"``, ``ref`` = its id).

    ``title`` is the known meme's title as ``{"ru": …, "en": …}``: users are told the meme's name,
    not its internal slug.
    """

    def __init__(
        self, kind: str, ref: str | int, distance: int | None = None, title: dict[str, str] | None = None
    ):
        self.kind = kind
        self.ref = ref
        self.distance = distance
        if kind == "known":
            names: Any = title or {"ru": str(ref), "en": str(ref)}
            super().__init__("sub_duplicate_known", title=names)
        else:
            super().__init__("sub_duplicate_pending", id=ref)


class NotAllowed(SubmissionError):
    """The actor may not do this: not an admin (``need="admin"``) or not the author (``need="owner"``)."""

    def __init__(self, action: str, actor_id: int, need: str = "admin"):
        self.action, self.actor_id, self.need = action, actor_id, need
        super().__init__("sub_not_owner" if need == "owner" else "not_allowed")


class SubmissionNotFound(SubmissionError):
    key = "sub_not_found"

    def __init__(self, submission_id: object):
        self.submission_id = submission_id
        super().__init__(id=submission_id)


class InvalidTransition(SubmissionError):
    """The submission is not in a state that allows the action (``current_status`` says which it is in)."""

    key = "sub_bad_transition"

    def __init__(self, current_status: str, action: str = "", submission_id: int | None = None):
        self.current_status, self.action, self.submission_id = current_status, action, submission_id
        super().__init__(
            id=submission_id if submission_id is not None else "?", state=Msg(f"status_{current_status}")
        )


class PublishError(SubmissionError):
    """The note could not be written or indexed; the submission stays ``approved`` for ``recover``."""

    key = "sub_publish_failed"

    def __init__(self, submission_id: int, detail: str):
        self.submission_id, self.detail = submission_id, detail
        super().__init__(id=submission_id, detail=detail)


class NoteBodyMissing(SubmissionError):
    """A note drafted from wanted questions can't be approved before its text is written."""

    key = "sub_note_no_body"

    def __init__(self, submission_id: int):
        self.submission_id = submission_id
        super().__init__(id=submission_id)
