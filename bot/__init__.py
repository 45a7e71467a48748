"""Cradle: a text-messaging engagement service for parent-infant relationship teams."""
