"""The functional core: pure decisions on plain data.

No aiohttp, aiogram, twilio or aiosqlite imports here.
"""
