"""Loopback stand-ins for the outside services Cradle talks to, run as real HTTP servers."""
