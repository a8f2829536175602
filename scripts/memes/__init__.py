"""Stand-in meme pictures: one drawing function per meme slug (see ``scripts/draw_memes.py``)."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image

from . import classic

DRAWERS: dict[str, Callable[[], Image.Image]] = {
    "meme-torch-log-negative": classic.draw_torch_log,
    "meme-finetune-cat": classic.draw_finetune_cat,
    "meme-floor-is-lava": classic.draw_floor_is_lava,
    "meme-emoji-fully-connected": classic.draw_emoji_fully_connected,
    "meme-xgboost-kaggle": classic.draw_xgboost_kaggle,
    "meme-car-salesman": classic.draw_car_salesman,
}
"""Meme slug → function drawing its picture."""
