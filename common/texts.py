"""Every user-facing text in Russian and English, in one table (see :func:`common.i18n.t`).

Keys are grouped by where they are shown. A count with its noun is written as a plural field:
``{n:мем|мема|мемов}`` / ``{n:meme|memes}``. ``tests`` check that every key has both languages,
that both use the same fields, and that every key is used somewhere.
"""

from __future__ import annotations

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
    "unknown_bare": {
        "ru": "Такого я не знаю — честно. Попробуйте переформулировать или спросите «что ты умеешь».",
        "en": 'I don\'t know this one, honestly. Try rephrasing, or ask "what can you do".',
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
    "memes": {"ru": "Мемы, которые я знаю:", "en": "Memes I know:"},
    "concepts": {"ru": "Понятия, которые я знаю:", "en": "Concepts I know:"},
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
        "ru": "Так заявка увидят админы. Отправить?",
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
        "title: …\nexplanation: …\naliases: a, b\nrelated: dropout, overfitting",
        "en": "Send the edits for #{id} in one message, one field per line:\n"
        "title: …\nexplanation: …\naliases: a, b\nrelated: dropout, overfitting",
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
    # --- submissions: field names used inside the messages below
    "field_title": {"ru": "название", "en": "title"},
    "field_explanation": {"ru": "объяснение", "en": "explanation"},
    "field_reason": {"ru": "причина", "en": "reason"},
    "field_alias": {"ru": "синоним", "en": "alias"},
    "field_status": {"ru": "статус", "en": "status"},
    "status_draft": {"ru": "черновик (ещё не отправлена)", "en": "a draft (not sent yet)"},
    "status_pending": {"ru": "ждёт модерации", "en": "waiting for moderation"},
    "status_approved": {"ru": "одобрена и публикуется", "en": "approved and being published"},
    "status_published": {"ru": "уже опубликована", "en": "already published"},
    "status_rejected": {"ru": "отклонена", "en": "rejected"},
    "status_cancelled": {"ru": "отменена", "en": "cancelled"},
    # --- submissions: errors
    "sub_not_text": {"ru": "Поле «{field}» должно быть текстом.", "en": "The {field} must be text."},
    "sub_bad_unicode": {
        "ru": "В поле «{field}» испорченные символы юникода; наберите текст заново.",
        "en": "The {field} contains broken unicode (lone surrogates); type it again.",
    },
    "sub_control_char": {
        "ru": "В поле «{field}» есть управляющий символ ({code}); уберите его и отправьте обычный текст.",
        "en": "The {field} contains a control character ({code}); remove it and send plain text.",
    },
    "sub_empty": {
        "ru": "Поле «{field}» пустое: напишите хотя бы одно слово.",
        "en": "The {field} is empty: write at least one word.",
    },
    "sub_too_long": {
        "ru": "Поле «{field}» слишком длинное: {n:символ|символа|символов}, а можно не больше {limit}. Сократите его.",
        "en": "The {field} is too long: {n:character|characters}, the limit is {limit}. Shorten it.",
    },
    "sub_reason_empty": {
        "ru": "Напишите причину отказа: автор увидит её.",
        "en": "Write the reason for the rejection: the author will see it.",
    },
    "sub_aliases_not_list": {
        "ru": "Синонимы нужно передать списком.",
        "en": "Aliases must be given as a list.",
    },
    "sub_too_many_aliases": {
        "ru": "Слишком много синонимов: {n}, можно не больше {limit}.",
        "en": "Too many aliases: {n}, at most {limit}.",
    },
    "sub_related_not_list": {
        "ru": "Связанные заметки нужно передать списком.",
        "en": "Related notes must be given as a list.",
    },
    "sub_too_many_related": {
        "ru": "Слишком много связанных заметок: {n}, можно не больше {limit}.",
        "en": "Too many related notes: {n}, at most {limit}.",
    },
    "sub_related_unknown": {
        "ru": "Заметки «{slug}» нет; связанные заметки указываются по их slug, например dropout.",
        "en": "There is no note '{slug}'; give related notes by their slug, e.g. dropout.",
    },
    "sub_name_taken": {
        "ru": "Имя «{name}» уже занято заметкой «{title}». Выберите другое название или синоним.",
        "en": 'The name "{name}" is already used by the note "{title}". Choose another title or alias.',
    },
    "sub_no_edits": {"ru": "Нет ни одной правки.", "en": "There is nothing to change."},
    "sub_not_picture": {
        "ru": "Это не похоже на картинку. Пришлите фото или файл PNG/JPEG.",
        "en": "That does not look like a picture. Send a photo or a PNG/JPEG file.",
    },
    "sub_daily_limit": {
        "ru": "Лимит — {limit:мем|мема|мемов} в сутки, и он исчерпан. Попробуйте снова {when}.",
        "en": "You can send at most {limit:meme|memes} a day and you have reached that. Try again {when}.",
    },
    "when_tomorrow": {"ru": "завтра", "en": "tomorrow"},
    "when_after": {"ru": "после {time} UTC", "en": "after {time} UTC"},
    "sub_duplicate_known": {
        "ru": "Этот мем уже есть в базе: «{title}». Спросите меня о нём, и я объясню!",
        "en": 'This meme is already in my collection: "{title}". Ask me about it and I\'ll explain!',
    },
    "sub_duplicate_pending": {
        "ru": "Такую картинку уже прислали (заявка №{id}), она ждёт решения модераторов.",
        "en": "This picture has already been sent (submission #{id}) and is waiting for the moderators.",
    },
    "sub_not_owner": {
        "ru": "Это не ваша заявка, её может изменить только автор.",
        "en": "This is not your submission; only its author can do that.",
    },
    "sub_not_found": {
        "ru": "Заявки №{id} нет. Проверьте номер (список: /queue).",
        "en": "There is no submission #{id}; check the number (list them with /queue or 'memebot admin list').",
    },
    "sub_bad_status": {
        "ru": "Нет статуса «{status}»; есть: {known}.",
        "en": "No status '{status}'; use one of: {known}.",
    },
    "sub_bad_transition": {
        "ru": "Заявка №{id} {state}, это действие к ней уже неприменимо.",
        "en": "Submission #{id} is {state}; that action no longer applies to it.",
    },
    "sub_publish_failed": {
        "ru": "Заявка №{id} одобрена, но опубликовать заметку не удалось: {detail}. "
        "После исправления запустите 'memebot admin recover'.",
        "en": "Submission #{id} is approved but its note could not be published: {detail}. "
        "Fix that and run 'memebot admin recover'.",
    },
    # --- pictures
    "image_unusable": {
        "ru": "С этой картинкой не получилось работать. Пришлите, пожалуйста, другую.",
        "en": "I couldn't work with this picture. Please send another one.",
    },
    "image_not_image": {
        "ru": "Это не похоже на картинку. Пришлите фото или файл JPG, PNG или WebP.",
        "en": "That doesn't look like a picture. Send a photo or a JPG, PNG or WebP file.",
    },
    "image_too_many_pixels": {
        "ru": "Картинка слишком большая: {mp} Мп, а я принимаю до {limit} Мп. Пришлите поменьше.",
        "en": "That picture is too big: {mp} MP, and I accept up to {limit} MP. Please send a smaller one.",
    },
    "image_too_many_pixels_unknown": {
        "ru": "Картинка слишком большая: больше {limit} Мп. Пришлите поменьше.",
        "en": "That picture is too big: more than {limit} MP. Please send a smaller one.",
    },
    "image_too_many_bytes": {
        "ru": "Файл слишком большой: {mb} МБ, а я принимаю до {limit} МБ. Пришлите картинку поменьше.",
        "en": "That file is too big: {mb} MB, and I accept up to {limit} MB. Please send a smaller picture.",
    },
    # --- demos
    "demo_note": {"ru": "заметка", "en": "note"},
    "demo_no_params": {"ru": "(без параметров)", "en": "(no parameters)"},
    "demo_params": {"ru": "Параметры", "en": "Parameters"},
    "demo_code_heading": {"ru": "Код", "en": "Code"},
    "demo_images_heading": {"ru": "Картинки", "en": "Images"},
    "demo_error": {"ru": "Демо не удалось запустить: {detail}", "en": "The demo could not run: {detail}"},
    "demo_no_such": {
        "ru": "Нет демо «{demo_id}». Доступные: {known}",
        "en": "No demo '{demo_id}'. Available: {known}",
    },
    "demo_timeout": {
        "ru": "Демо {demo_id} не уложилось в {seconds} с и было остановлено.",
        "en": "Demo {demo_id} did not finish within {seconds} s and was stopped.",
    },
    "demo_memory": {
        "ru": "Демо {demo_id} превысило лимит памяти ({mb} МБ) и было остановлено.",
        "en": "Demo {demo_id} exceeded the memory limit ({mb} MB) and was stopped.",
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
    # --- the learning loop: votes, privacy, wanted notes, statistics (admins)
    "forget_done": {
        "ru": "Готово: стёр {n:вопрос|вопроса|вопросов} и {votes:отметку|отметки|отметок}; в заявках больше нет вашего id.",
        "en": "Done: erased {n:question|questions} and {votes:vote|votes}; your submissions no longer carry your id.",
    },
    "vote_failed": {
        "ru": "Не получилось сохранить отзыв, попробуйте позже.",
        "en": "Couldn't save the feedback; please try later.",
    },
    "wanted_not_found": {
        "ru": "Нет кластера вопросов №{id}: посмотрите актуальный список в /wanted.",
        "en": "There is no wanted cluster #{id}; see the current list with /wanted or 'memebot admin wanted'.",
    },
    "wanted_empty": {"ru": "Неотвеченных вопросов нет.", "en": "No unanswered questions."},
    "wanted_title": {
        "ru": "Каких заметок не хватает ({n:тема|темы|тем}):",
        "en": "Notes people want ({n:topic|topics}):",
    },
    "wanted_cluster": {
        "ru": "№{id}: {users:человек|человека|человек}, {asks:вопрос|вопроса|вопросов} — {why}",
        "en": "#{id}: {users:person|people}, {asks:question|questions} — {why}",
    },
    "wanted_unknown": {"ru": "без ответа: {n}", "en": "unanswered: {n}"},
    "wanted_guessed": {"ru": "наугад: {n}", "en": "guessed: {n}"},
    "wanted_downvoted": {"ru": "👎: {n}", "en": "👎: {n}"},
    "wanted_hint": {
        "ru": "Черновик заметки — кнопкой ниже (или 'memebot admin draft ID').",
        "en": "Start a note with a button below (or 'memebot admin draft ID').",
    },
    "wanted_draft_button": {"ru": "✍ Черновик из №{id}", "en": "✍ Draft from #{id}"},
    "draft_created": {
        "ru": "Черновик заметки №{id} из вопросов №{cluster}. Допишите текст (✏️ Исправить → explanation: …, "
        "лучше с разделами ## Коротко, ## Подробнее, ## In short) и одобрите.",
        "en": "Note draft #{id} from questions #{cluster}. Write its text (✏️ Edit → explanation: …, "
        "best with the sections ## Коротко, ## Подробнее, ## In short), then approve.",
    },
    "sub_note_no_body": {
        "ru": "У черновика №{id} ещё нет текста: пришлите его через ✏️ Исправить (explanation: …) и одобрите снова.",
        "en": "Draft #{id} has no text yet: send it with ✏️ Edit (explanation: …) and approve again.",
    },
    "sub_note_sections": {
        "ru": "Текст заметки — простой текст или разделы с первой строки; обязательны и не пусты: {sections}.",
        "en": "A note's text is plain text, or sections from the first line on; these must be there and not empty: {sections}.",
    },
    "stats_title": {
        "ru": "Статистика с {since} по {until} (UTC)",
        "en": "Statistics from {since} to {until} (UTC)",
    },
    "stats_all": {"ru": "всего", "en": "all"},
    "stats_questions": {"ru": "{n:вопрос|вопроса|вопросов}", "en": "{n:question|questions}"},
    "stats_share": {"ru": "{name} {pct}%", "en": "{name} {pct}%"},
    "stats_group_answered": {"ru": "отвечено", "en": "answered"},
    "stats_group_unknown": {"ru": "не знаю", "en": "unknown"},
    "stats_group_off_topic": {"ru": "не по теме", "en": "off-topic"},
    "stats_group_other": {"ru": "прочее", "en": "other"},
    "stats_latency": {
        "ru": "время ответа: медиана {p50} мс, p95 {p95} мс",
        "en": "latency: median {p50} ms, p95 {p95} ms",
    },
    "stats_per_day": {"ru": "По дням:", "en": "Per day:"},
    "stats_votes": {"ru": "👍/👎 по заметкам, худшие сверху:", "en": "👍/👎 by note, worst first:"},
    "stats_no_votes": {"ru": "Оценок пока нет.", "en": "No votes yet."},
    "stats_chart_title": {"ru": "Вопросы с {since} по {until}", "en": "Questions from {since} to {until}"},
    "stats_chart_questions": {"ru": "вопросов в день", "en": "questions a day"},
    "stats_chart_votes": {"ru": "Оценки заметок (худшие сверху)", "en": "Votes by note (worst on top)"},
    "stats_chart_up": {"ru": "нравится", "en": "liked"},
    "stats_chart_down": {"ru": "не нравится", "en": "disliked"},
    "digest_title": {"ru": "Еженедельная сводка", "en": "Weekly digest"},
    "cli_bad_forget_id": {
        "ru": "USER_ID — Telegram id пользователя (целое число), а не {value}",
        "en": "USER_ID is a Telegram user id (a whole number), not {value}",
    },
    "cli_bad_cluster_id": {
        "ru": "Номер кластера — целое положительное число (см. 'memebot admin wanted'), а не {value}",
        "en": "a cluster id is a positive whole number (see 'memebot admin wanted'), not {value}",
    },
}
