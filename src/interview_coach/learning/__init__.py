"""The learning loop: export sessions and feedback as fine-tuning data and evaluation cases."""
