"""The learning loop's texts: votes, privacy, wanted notes, statistics (part of :data:`common.texts.TEXTS`).

Kept in a module of their own only so that each file of the table stays readable; look keys up
through :mod:`common.i18n` as for any other text.
"""

from __future__ import annotations

LEARNING_TEXTS: dict[str, dict[str, str]] = {
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
    "wanted_topic": {
        "ru": "  Тема без заметки: {topic}",
        "en": "  Topic without a note: {topic}",
    },
    "wanted_topic_near": {
        "ru": "  Тема без заметки: {topic} (ближе всего: {near})",
        "en": "  Topic without a note: {topic} (closest: {near})",
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
