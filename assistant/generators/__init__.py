"""Reply generators: turn a reply plan into text. Backends are chosen by name from settings."""
