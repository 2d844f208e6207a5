"""Helpers the tests share: the real broker and store, settings, servers in threads."""
