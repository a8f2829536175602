"""The community's memes: submissions, moderation and publishing (no Telegram code here)."""
