"""core layer of interview-coach."""
