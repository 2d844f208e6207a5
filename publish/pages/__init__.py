"""Public pages readers open: the front page, section pages and one page per released
story, server-rendered HTML (no JavaScript, no third-party assets)."""
