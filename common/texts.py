"""Every user-facing text in Russian and English, in one table (see :func:`common.i18n.t`).

Keys are grouped by where they are shown. A count with its noun is written as a plural field:
``{n:мем|мема|мемов}`` / ``{n:meme|memes}``. ``tests`` check that every key has both languages,
that both use the same fields, and that every key is used somewhere.
"""

from __future__ import annotations

from common.texts_community import COMMUNITY_TEXTS
from common.texts_learning import LEARNING_TEXTS

TEXTS: dict[str, dict[str, str]] = {
    # --- answers and the Telegram surface
    "help": {
        "ru": (
            "Я объясняю мемы про машинное обучение и идеи за ними: простыми словами, подробнее по запросу "
            "и с маленьким настоящим экспериментом и графиком.\n\n"
            "Что можно спросить:\n"
            "• «в чём прикол мема с котом у крана»\n"
            "• «что такое дропаут»\n"
            "• «покажи дропаут на примере, p=0.3»\n"
            "• «что почитать по теории вероятностей»\n"
            "• «хочу предложить мем»\n\n"
            "Я запоминаю вопросы без имён, чтобы узнать, каких заметок не хватает. Стереть ваши: /forget"
        ),
        "en": (
            "I explain machine-learning memes and the ideas behind them: in plain words, in depth on request, "
            "and with a small real experiment and a plot.\n\n"
            "Try asking:\n"
            '• "what\'s the joke with the cat at the faucet"\n'
            '• "what is dropout actually doing"\n'
            '• "show dropout with p=0.3"\n'
            '• "what should I read on probability"\n'
            '• "how can I submit a meme"\n\n'
            "I keep questions without names to learn which notes are missing. To erase yours: /forget"
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
    "unknown_topic": {
        "ru": "Про «{topic}» заметки у меня пока нет. Ближе всего:",
        "en": "I have no note on {topic} yet. Closest:",
    },
    "unknown_topic_bare": {
        "ru": "Про «{topic}» заметки у меня пока нет. Спросите «что ты умеешь», чтобы увидеть, о чём я знаю.",
        "en": 'I have no note on {topic} yet. Ask "what can you do" to see what I know.',
    },
    "unknown_bare": {
        "ru": "Такого я не знаю — честно. Попробуйте переформулировать или спросите «что ты умеешь».",
        "en": 'I don\'t know this one, honestly. Try rephrasing, or ask "what can you do".',
    },
    "smalltalk_hello": {
        "ru": "Привет! Спросите меня про ML-мем или понятие — например, «что такое дропаут».",
        "en": 'Hi! Ask me about an ML meme or idea — for example, "what is dropout".',
    },
    "smalltalk_thanks": {"ru": "Пожалуйста! Спрашивайте ещё.", "en": "You're welcome! Ask away."},
    "smalltalk_bye": {
        "ru": "Пока! Заходите, когда встретите непонятный мем.",
        "en": "Bye! Come back when a meme puzzles you.",
    },
    "smalltalk_who": {
        "ru": "Я бот, который объясняет мемы про машинное обучение и идеи за ними. Спросите что-нибудь!",
        "en": "I'm a bot that explains machine-learning memes and the ideas behind them. Ask me something!",
    },
    "smalltalk_other": {
        "ru": "🙂 Спросите меня про мем или понятие из ML.",
        "en": "🙂 Ask me about an ML meme or idea.",
    },
    "clarify": {
        "ru": "О чём рассказать подробнее? Спросите про мем или понятие — например, «что такое дропаут».",
        "en": 'More about what? Ask about a meme or an idea first — for example, "what is dropout".',
    },
    "chat_more_hint": {
        "ru": "(«подробнее» — глубже, «а пример?» — демо)",
        "en": '("more" for the in-depth part, "show me" for the demo)',
    },
    "end_of_note": {
        "ru": "Это всё, что я знаю про «{title}». Можно спросить про связанное: {related}.",
        "en": 'That\'s all I know about "{title}". You could ask about something related: {related}.',
    },
    "no_demo_here": {
        "ru": "У заметки «{title}» нет демо. Демо есть, например, у: {examples}.",
        "en": '"{title}" has no demo. Demos exist for, e.g.: {examples}.',
    },
    "did_you_mean": {"ru": "Возможно, вы имели в виду:", "en": "Did you mean:"},
    "related": {"ru": "Связанное:", "en": "Related:"},
    "demo_available": {
        "ru": "Демо: {title} — `memebot demo run {id}`",
        "en": "Demo: {title} — `memebot demo run {id}`",
    },
    "submit": {
        "ru": "Предложить мем можно в Telegram-боте командой /submit: пришлите картинку, название и объяснение, "
        "а админы его рассмотрят.",
        "en": "You can submit a meme in the Telegram bot with /submit: send the picture, a title and why it's funny, "
        "and the admins will review it.",
    },
    "demo_run": {
        "ru": "Запускаю демо «{title}» с параметрами: {params}",
        "en": 'Running demo "{title}" with: {params}',
    },
    "demo_unknown": {
        "ru": "Не понял, какое демо запустить. Есть: {ids}.",
        "en": "I couldn't tell which demo to run. Available: {ids}.",
    },
    # a demo parameter written in a request but unreadable (router/parsing/values.py)
    "demo_value_float": {
        "ru": "Не понял значение для {param}: нужно число от {lo} до {hi}, например {param}={example}",
        "en": "I couldn't read the value of {param}: it should be a number from {lo} to {hi}, e.g. {param}={example}",
    },
    "demo_value_int": {
        "ru": "Не понял значение для {param}: нужно целое число от {lo} до {hi}, например {param}={example}",
        "en": "I couldn't read the value of {param}: it should be a whole number from {lo} to {hi}, "
        "e.g. {param}={example}",
    },
    "demo_value_choice": {
        "ru": "Не понял значение для {param}: нужно одно из: {choices}, например {param}={example}",
        "en": "I couldn't read the value of {param}: it should be one of: {choices}, e.g. {param}={example}",
    },
    "demo_value_text": {
        "ru": 'Не понял значение для {param}: напишите фразу в кавычках, например {param}="кот сел на ковёр"',
        "en": 'I couldn\'t read the value of {param}: write a phrase in quotes, e.g. {param}="the cat sat on the mat"',
    },
    # Telegram surface
    "deeper": {"ru": "Подробнее", "en": "In depth"},
    "run_demo": {"ru": "▶ Запустить демо", "en": "▶ Run the demo"},
    "thanks": {"ru": "Спасибо за отзыв!", "en": "Thanks for the feedback!"},
    "stale": {
        "ru": "Эта кнопка устарела. Спросите ещё раз.",
        "en": "This button has expired. Please ask again.",
    },
    "rate_limited": {
        "ru": "Слишком много запросов: не больше {limit} в минуту. Подождите немного и спросите снова.",
        "en": "Too many requests: at most {limit} a minute. Please wait a bit and ask again.",
    },
    "error": {
        "ru": "Извините, что-то пошло не так. Попробуйте ещё раз.",
        "en": "Sorry, something went wrong. Please try again.",
    },
    "demo_list": {"ru": "Демо, которые можно запустить:", "en": "Demos you can run:"},
    "demo_usage": {"ru": "Например: /demo dropout p=0.3", "en": "For example: /demo dropout p=0.3"},
    "memes_header": {"ru": "Я знаю {n:мем|мема|мемов}:", "en": "I know {n:meme|memes}:"},
    "memes_page": {"ru": "Я знаю {n:мем|мема|мемов}. Выберите:", "en": "I know {n:meme|memes}. Pick one:"},
    "concepts_page": {
        "ru": "Я знаю {n:понятие|понятия|понятий}. Выберите:",
        "en": "I know {n:concept|concepts}. Pick one:",
    },
    "photo_unknown": {
        "ru": "Не узнал этот мем и не смог прочитать на картинке ничего знакомого. Опишите его словами — попробую объяснить.",
        "en": "I don't recognise this meme and couldn't read anything familiar in it. Describe it in words and I'll try.",
    },
    "photo_read": {"ru": "На картинке прочитал: «{text}»", "en": 'I read on the picture: "{text}"'},
    "code": {"ru": "Код эксперимента:", "en": "The code that ran:"},
    "bad_param": {
        "ru": "Не понял параметр «{arg}». Пишите как name=value, например p=0.3.",
        "en": 'Couldn\'t parse "{arg}". Write name=value, e.g. p=0.3.',
    },
    "no_such_note": {"ru": "Этой заметки больше нет.", "en": "That note no longer exists."},
    # the command menu (setMyCommands)
    "cmd_start": {"ru": "что умеет бот", "en": "what the bot can do"},
    "cmd_help": {"ru": "помощь и примеры вопросов", "en": "help and example questions"},
    "cmd_memes": {"ru": "мемы, которые я знаю", "en": "memes I know"},
    "cmd_concepts": {"ru": "понятия, которые я знаю", "en": "concepts I know"},
    "cmd_random": {"ru": "случайный мем", "en": "a random meme"},
    "cmd_demo": {
        "ru": "запустить эксперимент, например /demo dropout",
        "en": "run an experiment, e.g. /demo dropout",
    },
    "cmd_submit": {"ru": "предложить мем", "en": "submit a meme"},
    "cmd_cancel": {"ru": "отменить то, что начали", "en": "cancel what you started"},
    "cmd_forget": {"ru": "стереть мои вопросы и отметки", "en": "erase my questions and votes"},
    # things the bot does not read
    "unsupported_media": {
        "ru": "Я понимаю текст и картинки мемов. Стикеры, голосовые, видео и файлы не читаю — напишите вопрос словами.",
        "en": "I understand text and meme pictures. I can't read stickers, voice, video or files — please type your question.",
    },
    "unknown_command": {
        "ru": "Не знаю команды {command}. Что я умею: /help",
        "en": "I don't know the command {command}. What I can do: /help",
    },
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
    "need_picture": {
        "ru": "Нужна картинка: фото или файл-изображение.",
        "en": "I need a picture: a photo or an image file.",
    },
    "preview": {
        "ru": "Так заявку увидят админы. Отправить?",
        "en": "This is what the admins will see. Send it?",
    },
    "send": {"ru": "✅ Отправить", "en": "✅ Send"},
    "cancel": {"ru": "✖ Отмена", "en": "✖ Cancel"},
    "cancelled": {"ru": "Отменено. Ничего не отправлено.", "en": "Cancelled. Nothing was sent."},
    "submitted": {
        "ru": "Спасибо! Заявка №{id} отправлена админам. Я напишу, когда они решат.",
        "en": "Thanks! Submission #{id} went to the admins. I'll tell you when they decide.",
    },
    "approved_user": {
        "ru": "Ваш мем №{id} «{title}» одобрен и опубликован. Спросите меня о нём!",
        "en": 'Your meme #{id} "{title}" was approved and published. Ask me about it!',
    },
    "rejected_user": {
        "ru": "Ваш мем №{id} «{title}» отклонён. Причина: {reason}",
        "en": 'Your meme #{id} "{title}" was rejected. Reason: {reason}',
    },
    "start_button": {"ru": "📤 Предложить мем", "en": "📤 Submit a meme"},
    "submit_intro": {
        "ru": "Предложите мем: картинка, название, объяснение — админы посмотрят.",
        "en": "Submit a meme: a picture, a title, an explanation — the admins will review it.",
    },
    "not_allowed": {"ru": "Это могут делать только админы.", "en": "Only admins can do that."},
    "admin_new": {"ru": "Новая заявка №{id} от {user}", "en": "New submission #{id} from {user}"},
    "approve": {"ru": "✅ Одобрить", "en": "✅ Approve"},
    "card_published": {
        "ru": "✅ №{id} опубликован как {slug}. Решение: {admin}",
        "en": "✅ #{id} published as {slug}. Decided by {admin}",
    },
    "card_rejected": {
        "ru": "❌ №{id} отклонён ({admin}): {reason}",
        "en": "❌ #{id} rejected ({admin}): {reason}",
    },
    "card_closed": {"ru": "№{id}: {state}", "en": "#{id}: {state}"},
    "card_no_english": {
        "ru": "Текста на английском нет: мем выйдет с пометкой «только по-русски». Добавить: ✏️ Исправить → title_en: … / explanation_en: …",
        "en": 'No English text: the meme will be marked "Russian only". To add it: ✏️ Edit → title_en: … / explanation_en: …',
    },
    "note_ru_only": {
        "ru": "(Этот мем объяснён только по-русски.)",
        "en": "(This meme is explained in Russian only.)",
    },
    "note_en_only": {
        "ru": "(Этот мем объяснён только по-английски.)",
        "en": "(This meme is explained in English only.)",
    },
    "reject": {"ru": "❌ Отклонить", "en": "❌ Reject"},
    "edit": {"ru": "✏️ Исправить", "en": "✏️ Edit"},
    "published_admin": {
        "ru": "✅ №{id} опубликован как {slug} (одобрил {admin})",
        "en": "✅ #{id} published as {slug} (by {admin})",
    },
    "rejected_admin": {"ru": "❌ №{id} отклонён: {reason}", "en": "❌ #{id} rejected: {reason}"},
    "choose_reason": {"ru": "Причина отказа для №{id}:", "en": "Why reject #{id}?"},
    "custom_reason": {"ru": "Своя причина…", "en": "Other reason…"},
    "ask_reason": {
        "ru": "Напишите причину отказа для №{id} одним сообщением.",
        "en": "Write the reason for rejecting #{id} in one message.",
    },
    "ask_edit": {
        "ru": "Пришлите правки для №{id} одним сообщением, по строке на поле:\n"
        "title: …\nexplanation: …\ntitle_en: … (по-английски)\nexplanation_en: …\naliases: a, b\nrelated: dropout, overfitting",
        "en": "Send the edits for #{id} in one message, one field per line:\n"
        "title: …\nexplanation: …\ntitle_en: … (in English)\nexplanation_en: …\naliases: a, b\nrelated: dropout, overfitting",
    },
    "edited": {"ru": "Исправлено. Теперь одобрить?", "en": "Edited. Approve now?"},
    "queue_empty": {"ru": "Очередь пуста.", "en": "The queue is empty."},
    "queue": {"ru": "Ждут решения:", "en": "Waiting for a decision:"},
    # --- configuration (operators read these; the details are in English)
    "config_error": {"ru": "Ошибка настройки: {detail}", "en": "{detail}"},
    # --- the command line and the data behind it
    "index_missing": {
        "ru": "Индекса ещё нет ({root}): соберите его командой 'memebot index build'.",
        "en": "no index at {root}: run 'memebot index build'",
    },
    "index_unusable": {
        "ru": "Индекс не читается ({detail}): пересоберите его командой 'memebot index build --force'.",
        "en": "the index is unusable ({detail}): rebuild it with 'memebot index build --force'",
    },
    "router_missing": {
        "ru": "Модели роутера нет в {model_dir}: обучите её командой 'memebot router train'.",
        "en": "no router model in {model_dir}: run 'memebot router train'",
    },
    "encoder_error": {"ru": "Кодировщик текста недоступен: {detail}", "en": "{detail}"},
    "data_file_error": {"ru": "Ошибка в файле данных: {detail}", "en": "{detail}"},
    "cli_no_question": {
        "ru": 'Задайте вопрос, например: memebot ask "что такое дропаут" (или --jsonl и вопросы на stdin).',
        "en": 'give a question, e.g. memebot ask "что такое дропаут" (or use --jsonl with stdin)',
    },
    "cli_bad_param": {
        "ru": "Параметр надо писать как имя=значение, например p=0.3; получено «{arg}»",
        "en": "Parameters are written as name=value, e.g. p=0.3; got '{arg}'",
    },
    "cli_cannot_write": {
        "ru": "Не удалось записать картинки в {path}: {reason}",
        "en": "Could not write images to {path}: {reason}",
    },
    "cli_who_acts": {
        "ru": "Кто действует? Укажите --as USER_ID или задайте MEMEBOT_ADMINS=12345 (Telegram id админов).",
        "en": "who is acting? pass --as USER_ID or set MEMEBOT_ADMINS=12345 (Telegram user ids of the admins)",
    },
    "cli_bad_user_id": {
        "ru": "--as принимает Telegram id пользователя (целое число), а не {value}",
        "en": "--as takes a Telegram user id (a whole number), not {value}",
    },
    "cli_bad_submission_id": {
        "ru": "Номер заявки — целое положительное число (см. 'memebot admin list'), а не {value}",
        "en": "a submission id is a positive whole number (see 'memebot admin list'), not {value}",
    },
    "db_unavailable": {
        "ru": "Не открывается база данных ({detail}); проверьте MEMEBOT_DATABASE_URL.",
        "en": "cannot open the database ({detail}); check MEMEBOT_DATABASE_URL",
    },
    "recover_failed": {"ru": "Не удалось опубликовать: {detail}", "en": "{detail}"},
    # --- demos (raised by demos/: errors.py, params.py, worker.py; and the demo commands)
    "demo_note": {"ru": "заметка", "en": "note"},
    "demo_no_params": {"ru": "(без параметров)", "en": "(no parameters)"},
    "demo_params": {"ru": "Параметры", "en": "Parameters"},
    "demo_code_heading": {"ru": "Код", "en": "Code"},
    "demo_images_heading": {"ru": "Картинки", "en": "Images"},
    "demo_error": {"ru": "Демо не удалось запустить: {detail}", "en": "The demo could not run: {detail}"},
    "demo_message": {"ru": "{text}", "en": "{text}"},
    "demo_no_such": {
        "ru": "Нет демо «{demo_id}». Доступные: {known}",
        "en": "No demo '{demo_id}'. Available: {known}",
    },
    "demo_param_unknown": {
        "ru": "У демо {demo_id} нет параметра «{param}». Доступные параметры: {names}",
        "en": "Demo {demo_id} has no parameter '{param}'. Available parameters: {names}",
    },
    "demo_param_none": {
        "ru": "У демо {demo_id} нет параметров, получено «{param}»",
        "en": "Demo {demo_id} takes no parameters, got '{param}'",
    },
    "demo_param_twice": {
        "ru": "Параметр {param} указан дважды ({first} и {second})",
        "en": "Parameter {param} is given twice ({first} and {second})",
    },
    "demo_param_int": {
        "ru": "Параметр {param} должен быть целым числом от {lo} до {hi}, получено {got}",
        "en": "Parameter {param} must be an integer from {lo} to {hi}, got {got}",
    },
    "demo_param_float": {
        "ru": "Параметр {param} должен быть числом от {lo} до {hi}, получено {got}",
        "en": "Parameter {param} must be a number from {lo} to {hi}, got {got}",
    },
    "demo_param_choice": {
        "ru": "Параметр {param} должен быть одним из: {choices}; получено {got}",
        "en": "Parameter {param} must be one of: {choices}; got {got}",
    },
    "demo_param_words": {
        "ru": "Параметр {param} — это фраза от {lo} до {hi} слов, а получено {n:слово|слова|слов}",
        "en": "Parameter {param} is a phrase of {lo} to {hi} words, but it has {n:word|words}",
    },
    "demo_param_text_long": {
        "ru": "Параметр {param} слишком длинный: {n:символ|символа|символов}, можно не больше {limit}",
        "en": "Parameter {param} is too long: {n:character|characters}, the limit is {limit}",
    },
    "demo_lang": {
        "ru": "Язык должен быть ru или en, получено {got}",
        "en": "Language must be ru or en, got {got}",
    },
    "demo_seed": {
        "ru": "seed должен быть целым числом от 0 до {max}, получено {got}",
        "en": "seed must be an integer from 0 to {max}, got {got}",
    },
    "demo_bad_timeout": {
        "ru": "{name} — это время в секундах: конечное число больше 0, а получено {got}",
        "en": "{name} must be a finite number of seconds > 0, got {got}",
    },
    "demo_bad_workers": {
        "ru": "{name} — число процессов: целое от 1 до {max}, а получено {got}",
        "en": "{name} must be an integer from 1 to {max}, got {got}",
    },
    "demo_bad_memory": {
        "ru": "{name} — лимит памяти в МБ: целое больше 0 (или None — без лимита), а получено {got}",
        "en": "{name} must be a positive number of MB (or None for no limit), got {got}",
    },
    "demo_timeout": {
        "ru": "Демо {demo_id} не уложилось в {seconds} с и было остановлено.",
        "en": "Demo {demo_id} did not finish within {seconds} s and was stopped.",
    },
    "demo_memory": {
        "ru": "Демо {demo_id} превысило лимит памяти ({mb} МБ) и было остановлено.",
        "en": "Demo {demo_id} exceeded the memory limit ({mb} MB) and was stopped.",
    },
    "demo_memory_unknown": {
        "ru": "Демо {demo_id} превысило лимит памяти и было остановлено.",
        "en": "Demo {demo_id} exceeded the memory limit and was stopped.",
    },
    "demo_died": {
        "ru": "Процесс, выполнявший демо {demo_id}, неожиданно завершился ({detail}).",
        "en": "The worker process running demo {demo_id} died unexpectedly ({detail}).",
    },
    "demo_startup": {
        "ru": "Не удалось запустить процесс для демо ({detail}).",
        "en": "Could not start the demo worker process ({detail}).",
    },
    "demo_failed": {
        "ru": "Демо {demo_id} завершилось с ошибкой: {detail}",
        "en": "Demo {demo_id} failed: {detail}",
    },
    **COMMUNITY_TEXTS,
    **LEARNING_TEXTS,
}
