"""tools.text layer of interview-coach."""
