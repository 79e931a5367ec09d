"""Telegram side: handlers, who may do what, and every text the bot sends (in Indonesian)."""
