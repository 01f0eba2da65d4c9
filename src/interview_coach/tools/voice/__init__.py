"""tools.voice layer of interview-coach."""
