"""An AI mock-interview coach that measures voice, face and answer content, offline by default."""

__version__ = "0.1.0"
