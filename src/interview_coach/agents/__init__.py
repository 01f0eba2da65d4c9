"""interview-coach."""
