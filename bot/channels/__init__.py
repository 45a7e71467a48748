"""Channels send a text and parse what arrives; they decide nothing."""
