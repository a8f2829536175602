"""The Bot API's limits and vocabularies, and how form fields are decoded."""

from __future__ import annotations

import re

__all__ = [
    "BOOL_FIELDS",
    "BUTTON_ACTIONS",
    "CHAT_ACTIONS",
    "DEFAULT_ALLOWED_UPDATES",
    "DEFAULT_TOKEN",
    "ENTITY_TYPES",
    "INLINE_RESULT_TYPES",
    "INT_FIELDS",
    "JSON_FIELDS",
    "MAX_CALLBACK_ANSWER_LENGTH",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_CAPTION_LENGTH",
    "MAX_COMMANDS",
    "MAX_DOWNLOAD_BYTES",
    "MAX_INLINE_NEXT_OFFSET_BYTES",
    "MAX_INLINE_QUERY_LENGTH",
    "MAX_INLINE_RESULTS",
    "MAX_INLINE_RESULT_ID_BYTES",
    "MAX_KEYBOARD_BUTTONS",
    "MAX_MEDIA_GROUP",
    "MAX_MESSAGE_LENGTH",
    "MAX_PHOTO_BYTES",
    "MAX_UPLOAD_BYTES",
    "MIN_MEDIA_GROUP",
    "TOKEN_RE",
]

DEFAULT_TOKEN = "123456789:AAEmemebotTestTokenForTheLocalEmu01"
TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{35}$")

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_RESULTS = 50
MAX_INLINE_RESULT_ID_BYTES = 64
MAX_INLINE_NEXT_OFFSET_BYTES = 64
MAX_INLINE_QUERY_LENGTH = 256
MAX_KEYBOARD_BUTTONS = 100
MAX_COMMANDS = 100
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_MEDIA_GROUP = 10
MIN_MEDIA_GROUP = 2

DEFAULT_ALLOWED_UPDATES = frozenset(
    (
        "message edited_message channel_post edited_channel_post business_connection business_message "
        "edited_business_message deleted_business_messages inline_query chosen_inline_result "
        "callback_query shipping_query pre_checkout_query purchased_paid_media poll poll_answer "
        "my_chat_member chat_join_request chat_boost removed_chat_boost"
    ).split()
)
CHAT_ACTIONS = frozenset(
    (
        "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
        "choose_sticker find_location record_video_note upload_video_note"
    ).split()
)
BUTTON_ACTIONS = tuple(
    (
        "callback_data url web_app login_url switch_inline_query switch_inline_query_current_chat "
        "switch_inline_query_chosen_chat copy_text callback_game pay"
    ).split()
)
ENTITY_TYPES = frozenset(
    (
        "mention hashtag cashtag bot_command url email phone_number bold italic underline "
        "strikethrough spoiler blockquote expandable_blockquote code pre text_link text_mention "
        "custom_emoji"
    ).split()
)
INLINE_RESULT_TYPES = frozenset(
    ("article photo gif mpeg4_gif video audio voice document location venue contact game sticker").split()
)
# Fields whose values are JSON-serialized objects/arrays when sent as form fields.
JSON_FIELDS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse entities JSON object",
    "media": "can't parse media JSON object",
    "results": "can't parse inline query results JSON object",
    "commands": "can't parse commands JSON object",
    "allowed_updates": "can't parse allowed_updates JSON array",
    "reply_parameters": "can't parse reply parameters JSON object",
    "link_preview_options": "can't parse link preview options JSON object",
    "scope": "can't parse BotCommandScope JSON object",
    "button": "can't parse InlineQueryResultsButton JSON object",
    "message_ids": "can't parse message identifiers JSON array",
}
INT_FIELDS = frozenset(
    (
        "chat_id message_id reply_to_message_id offset limit timeout cache_time max_connections "
        "from_chat_id message_thread_id user_id duration width height"
    ).split()
)
BOOL_FIELDS = frozenset(
    (
        "disable_notification protect_content allow_sending_without_reply disable_web_page_preview "
        "show_alert is_personal drop_pending_updates has_spoiler show_caption_above_media "
        "disable_content_type_detection allow_paid_broadcast supports_streaming"
    ).split()
)
