"""Assessment: rules and trained models that turn measurements into judgements."""
