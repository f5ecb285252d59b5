"""Authentication: login, activation, charter, reset codes, throttling, sessions, API tokens."""
