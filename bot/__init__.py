"""The product surface: answer pipeline, Telegram app, moderation, storage, CLI, settings."""
