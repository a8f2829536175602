"""Telegram rendering: escaping, splitting under the limits, strict callback data."""

from __future__ import annotations

import pytest

from bot.telegram.render import (
    CALLBACK_LIMIT,
    MESSAGE_LIMIT,
    callback,
    code_messages,
    esc,
    note_markdown_to_html,
    parse_callback,
    split_message,
    telegram_length,
    truncate_caption,
)


def test_note_markdown_is_escaped_then_formatted() -> None:
    html = note_markdown_to_html("**Маска** <b>m</b> & `x < 0` и **ещё**")
    assert html == "<b>Маска</b> &lt;b&gt;m&lt;/b&gt; &amp; <code>x &lt; 0</code> и <b>ещё</b>"


def test_split_keeps_paragraphs_whole_and_under_the_limit() -> None:
    paragraphs = [f"<b>{i}</b> " + "слово " * 150 for i in range(30)]
    parts = split_message("\n\n".join(paragraphs))
    assert len(parts) > 1 and all(telegram_length(p) <= MESSAGE_LIMIT for p in parts)
    assert "\n\n".join(parts) == "\n\n".join(paragraphs)


def test_one_giant_line_is_cut_at_words() -> None:
    parts = split_message("а" * 10 + " " + "длинное " * 1500)
    assert len(parts) >= 3 and all(telegram_length(p) <= MESSAGE_LIMIT for p in parts)


def test_length_counts_utf16_after_entities() -> None:
    assert telegram_length("<b>&lt;😀</b>") == 3


def test_caption_is_truncated_with_an_ellipsis() -> None:
    caption = truncate_caption(esc("x & y " * 400))
    assert telegram_length(caption) <= 1024 and caption.endswith("…") and "&amp;" in caption


@pytest.mark.parametrize(
    "data",
    [
        "d:dropout:ru",
        "n:meme-finetune-cat:en",
        "r:log-negative:ru",
        "v:12:+",
        "q:0:en",
        "a:approve:3",
        "a:reason:3:dup",
    ],
)
def test_valid_callbacks_round_trip(data: str) -> None:
    parsed = parse_callback(data)
    assert parsed is not None and parsed.kind == data[0]


@pytest.mark.parametrize(
    "data",
    ["", None, "d:Dropout:ru", "d:dropout:fr", "v:1:*", "d:../x:ru", "zz:1", "a:delete:1", "q:" + "1" * 70],
)
def test_malformed_callbacks_are_rejected(data: str | None) -> None:
    assert parse_callback(data) is None


def test_callback_builder_refuses_what_would_not_parse() -> None:
    assert callback("d", "dropout", "ru") == "d:dropout:ru"
    with pytest.raises(ValueError):
        callback("d", "x" * CALLBACK_LIMIT, "ru")


def test_long_code_is_sent_as_complete_blocks() -> None:
    code = "\n".join(f"x_{i} = torch.randn({i}) < 0  # & escaped" for i in range(400))
    parts = code_messages("Код эксперимента:", code)
    assert len(parts) > 1 and parts[0].startswith("<b>Код эксперимента:</b>")
    for part in parts:
        assert telegram_length(part) <= MESSAGE_LIMIT
        assert part.count("<pre>") == part.count("</pre>") == 1
    assert code_messages("T", "print(1)") == [
        '<b>T</b>\n<pre><code class="language-python">print(1)</code></pre>'
    ]
