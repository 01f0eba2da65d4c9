"""Evaluation harness: accuracy of perception and evaluation against labels."""
