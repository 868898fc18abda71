"""newsqa: questions about newspaper issues, answered with cited paragraphs."""
