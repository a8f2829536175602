"""The community's texts: submissions, moderation errors and pictures (part of :data:`common.texts.TEXTS`).

Kept in a module of their own only so that each file of the table stays readable; look keys up
through :mod:`common.i18n` as for any other text.
"""

from __future__ import annotations

COMMUNITY_TEXTS: dict[str, dict[str, str]] = {
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
}
