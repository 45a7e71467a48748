"""The aiohttp web app: webhooks, the JSON API, the simulator and the console."""
