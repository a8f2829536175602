"""The answer: one decision of what to show for a question, from the router, retrieval and dialogue."""

from bot.answer.dialogue import DialogueState
from bot.answer.model import Answer, DemoChoice, Status
from bot.answer.pipeline import AnswerPipeline

__all__ = ["Answer", "AnswerPipeline", "DemoChoice", "DialogueState", "Status"]
