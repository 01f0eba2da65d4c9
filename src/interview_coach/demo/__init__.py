"""demo layer of interview-coach."""
