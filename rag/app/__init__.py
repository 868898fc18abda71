"""The surfaces: the `newsqa` command, the HTTP API and widget, the server that joins them to the chat, uploads."""
