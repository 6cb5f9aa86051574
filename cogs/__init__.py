"""Discord extensions: each translates Discord events to bot/ logic and results back to messages."""
