"""The bot's database: SQLite under MEMEBOT_HOME by default, or PostgreSQL."""

from bot.storage.database import Database, migrate, open_database
from bot.storage.learning import Outcome, Vote
from bot.storage.models import AnswerRecord, AuditEntry, Base, Feedback, Submission, utcnow

__all__ = [
    "AnswerRecord",
    "AuditEntry",
    "Base",
    "Database",
    "Feedback",
    "Outcome",
    "Submission",
    "Vote",
    "migrate",
    "open_database",
    "utcnow",
]
