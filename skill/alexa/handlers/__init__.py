"""Request handlers; each receives its services through its constructor."""
