"""The functional core: pure decisions on plain data. No I/O, no aiohttp, aiogram, twilio or aiosqlite."""
