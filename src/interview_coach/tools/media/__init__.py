"""tools.media layer of interview-coach."""
