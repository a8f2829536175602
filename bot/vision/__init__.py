"""Recognising meme pictures: safe decoding, perceptual hashing, OCR. No Telegram code here."""

from bot.vision.decode import ImageError, ImageTooLargeError, NotAnImageError, load_image
from bot.vision.phash import MATCH_MAX_DISTANCE, MemeImageIndex, hash_distance, perceptual_hash
from bot.vision.recognise import Recognition, recognise_meme

__all__ = [
    "MATCH_MAX_DISTANCE",
    "ImageError",
    "ImageTooLargeError",
    "MemeImageIndex",
    "NotAnImageError",
    "Recognition",
    "hash_distance",
    "load_image",
    "perceptual_hash",
    "recognise_meme",
]
