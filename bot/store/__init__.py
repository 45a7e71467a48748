"""The SQLite adapter: one writer connection, numbered migrations, repositories.

All SQL lives here.
"""
