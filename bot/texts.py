"""User-facing texts in Russian and English, in one place."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "help": {
        "ru": (
            "Я объясняю мемы про машинное обучение и идеи за ними: простыми словами, подробнее по запросу "
            "и с маленьким настоящим экспериментом и графиком.\n\n"
            "Что можно спросить:\n"
            "• «в чём прикол мема с котом у крана»\n"
            "• «что такое дропаут»\n"
            "• «покажи дропаут на примере, p=0.3»\n"
            "• «что почитать по теории вероятностей»\n"
            "• «хочу предложить мем»"
        ),
        "en": (
            "I explain machine-learning memes and the ideas behind them: in plain words, in depth on request, "
            "and with a small real experiment and a plot.\n\n"
            "Try asking:\n"
            "• \"what's the joke with the cat at the faucet\"\n"
            "• \"what is dropout actually doing\"\n"
            "• \"show dropout with p=0.3\"\n"
            "• \"what should I read on probability\"\n"
            "• \"how can I submit a meme\""
        ),
    },
    "off_topic": {
        "ru": "Это не про машинное обучение, тут я не помогу. Я объясняю ML-мемы и понятия за ними.",
        "en": "That's not about machine learning, so I can't help there. I explain ML memes and the ideas behind them.",
    },
    "unknown": {
        "ru": "Такого я не знаю — честно. Возможно, вы имели в виду:",
        "en": "I don't know this one, honestly. Did you mean:",
    },
    "unknown_bare": {
        "ru": "Такого я не знаю — честно. Попробуйте переформулировать или спросите «что ты умеешь».",
        "en": "I don't know this one, honestly. Try rephrasing, or ask \"what can you do\".",
    },
    "did_you_mean": {"ru": "Возможно, вы имели в виду:", "en": "Did you mean:"},
    "related": {"ru": "Связанное:", "en": "Related:"},
    "demo_available": {"ru": "Демо: {title} — `memebot demo run {id}`", "en": "Demo: {title} — `memebot demo run {id}`"},
    "submit": {
        "ru": "Предложить мем можно в Telegram-боте командой /submit: пришлите картинку, название и объяснение, "
        "а админы его рассмотрят.",
        "en": "You can submit a meme in the Telegram bot with /submit: send the picture, a title and why it's funny, "
        "and the admins will review it.",
    },
    "resources": {"ru": "Что почитать и посмотреть:", "en": "What to read and watch:"},
    "demo_run": {"ru": "Запускаю демо «{title}» с параметрами: {params}", "en": "Running demo \"{title}\" with: {params}"},
    "demo_unknown": {
        "ru": "Не понял, какое демо запустить. Есть: {ids}.",
        "en": "I couldn't tell which demo to run. Available: {ids}.",
    },
}


def text(key: str, lang: str, **kwargs: object) -> str:
    """The text ``key`` in ``lang`` (``ru`` or ``en``), formatted with ``kwargs``."""
    entry = TEXTS[key]
    template = entry.get(lang) or entry["ru"]
    return template.format(**kwargs) if kwargs else template
