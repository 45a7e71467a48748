"""Telegram's side of Cradle: aiogram routers (one per module) and what they need.

Modules here that import aiogram are loaded only when Telegram is configured: the
import costs seconds, and commands such as `cradle triage` must start fast.
"""
