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
    # Telegram surface
    "deeper": {"ru": "Подробнее", "en": "In depth"},
    "run_demo": {"ru": "▶ Запустить демо", "en": "▶ Run the demo"},
    "thanks": {"ru": "Спасибо за отзыв!", "en": "Thanks for the feedback!"},
    "stale": {"ru": "Эта кнопка устарела. Спросите ещё раз.", "en": "This button has expired. Please ask again."},
    "rate_limited": {
        "ru": "Слишком много запросов: не больше {limit} в минуту. Подождите немного и спросите снова.",
        "en": "Too many requests: at most {limit} a minute. Please wait a bit and ask again.",
    },
    "error": {"ru": "Извините, что-то пошло не так. Попробуйте ещё раз.", "en": "Sorry, something went wrong. Please try again."},
    "demo_list": {"ru": "Демо, которые можно запустить:", "en": "Demos you can run:"},
    "demo_usage": {"ru": "Например: /demo dropout p=0.3", "en": "For example: /demo dropout p=0.3"},
    "memes": {"ru": "Мемы, которые я знаю:", "en": "Memes I know:"},
    "concepts": {"ru": "Понятия, которые я знаю:", "en": "Concepts I know:"},
    "photo_unknown": {
        "ru": "Не узнал этот мем и не смог прочитать на картинке ничего знакомого. Опишите его словами — попробую объяснить.",
        "en": "I don't recognise this meme and couldn't read anything familiar in it. Describe it in words and I'll try.",
    },
    "photo_read": {"ru": "На картинке прочитал: «{text}»", "en": "I read on the picture: \"{text}\""},
    "code": {"ru": "Код эксперимента:", "en": "The code that ran:"},
    "bad_param": {"ru": "Не понял параметр «{arg}». Пишите как name=value, например p=0.3.", "en": "Couldn't parse \"{arg}\". Write name=value, e.g. p=0.3."},
    "no_such_note": {"ru": "Этой заметки больше нет.", "en": "That note no longer exists."},
    # submissions and moderation
    "ask_picture": {
        "ru": "Пришлите картинку мема (фото или файл-картинку). /cancel — отменить.",
        "en": "Send the meme picture (a photo or an image file). /cancel to stop.",
    },
    "ask_title": {"ru": "Как называется мем? Одной строкой.", "en": "What's the meme called? One line."},
    "ask_explanation": {
        "ru": "Почему это смешно человеку из ML? Объясните своими словами или нажмите /skip.",
        "en": "Why is it funny to an ML person? Explain in your own words, or /skip.",
    },
    "need_picture": {"ru": "Нужна картинка: фото или файл-изображение.", "en": "I need a picture: a photo or an image file."},
    "need_text": {"ru": "Нужен текст.", "en": "I need text here."},
    "preview": {"ru": "Так заявка увидят админы. Отправить?", "en": "This is what the admins will see. Send it?"},
    "send": {"ru": "✅ Отправить", "en": "✅ Send"},
    "cancel": {"ru": "✖ Отмена", "en": "✖ Cancel"},
    "cancelled": {"ru": "Отменено. Ничего не отправлено.", "en": "Cancelled. Nothing was sent."},
    "submitted": {
        "ru": "Спасибо! Заявка №{id} отправлена админам. Я напишу, когда они решат.",
        "en": "Thanks! Submission #{id} went to the admins. I'll tell you when they decide.",
    },
    "approved_user": {
        "ru": "Ваш мем №{id} «{title}» одобрен и опубликован. Спросите меня о нём!",
        "en": "Your meme #{id} \"{title}\" was approved and published. Ask me about it!",
    },
    "rejected_user": {
        "ru": "Ваш мем №{id} «{title}» отклонён. Причина: {reason}",
        "en": "Your meme #{id} \"{title}\" was rejected. Reason: {reason}",
    },
    "duplicate_known": {
        "ru": "Похоже, этот мем уже есть: «{title}». Вот объяснение:",
        "en": "Looks like I already know this meme: \"{title}\". Here's the explanation:",
    },
    "start_button": {"ru": "📤 Предложить мем", "en": "📤 Submit a meme"},
    "submit_intro": {
        "ru": "Предложите мем: картинка, название, объяснение — админы посмотрят.",
        "en": "Submit a meme: a picture, a title, an explanation — the admins will review it.",
    },
    "not_allowed": {"ru": "Это могут делать только админы.", "en": "Only admins can do that."},
    "admin_new": {"ru": "Новая заявка №{id} от {user}", "en": "New submission #{id} from {user}"},
    "approve": {"ru": "✅ Одобрить", "en": "✅ Approve"},
    "reject": {"ru": "❌ Отклонить", "en": "❌ Reject"},
    "edit": {"ru": "✏️ Исправить", "en": "✏️ Edit"},
    "published_admin": {"ru": "✅ №{id} опубликован как {slug} (одобрил {admin})", "en": "✅ #{id} published as {slug} (by {admin})"},
    "rejected_admin": {"ru": "❌ №{id} отклонён: {reason}", "en": "❌ #{id} rejected: {reason}"},
    "choose_reason": {"ru": "Причина отказа для №{id}:", "en": "Why reject #{id}?"},
    "custom_reason": {"ru": "Своя причина…", "en": "Other reason…"},
    "ask_reason": {"ru": "Напишите причину отказа для №{id} одним сообщением.", "en": "Write the reason for rejecting #{id} in one message."},
    "ask_edit": {
        "ru": "Пришлите правки для №{id} одним сообщением, по строке на поле:\n"
        "title: …\nexplanation: …\naliases: a, b\nrelated: dropout, overfitting",
        "en": "Send the edits for #{id} in one message, one field per line:\n"
        "title: …\nexplanation: …\naliases: a, b\nrelated: dropout, overfitting",
    },
    "edited": {"ru": "Исправлено. Теперь одобрить?", "en": "Edited. Approve now?"},
    "queue_empty": {"ru": "Очередь пуста.", "en": "The queue is empty."},
    "queue": {"ru": "Ждут решения:", "en": "Waiting for a decision:"},
    "already": {"ru": "Заявка №{id} уже в состоянии «{status}».", "en": "Submission #{id} is already {status}."},
}


def text(key: str, lang: str, **kwargs: object) -> str:
    """The text ``key`` in ``lang`` (``ru`` or ``en``), formatted with ``kwargs``."""
    entry = TEXTS[key]
    template = entry.get(lang) or entry["ru"]
    return template.format(**kwargs) if kwargs else template
