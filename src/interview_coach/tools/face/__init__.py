"""tools.face layer of interview-coach."""
