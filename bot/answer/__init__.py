"""The answer: one decision of what to show for a question, from the router, retrieval and dialogue."""

from bot.answer.pipeline import Answer, AnswerPipeline, DemoChoice

__all__ = ["Answer", "AnswerPipeline", "DemoChoice"]
