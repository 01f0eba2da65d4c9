"""The Chainlit interview room: a thin adapter from chat events to the interview service and back.

Chainlit loads :mod:`.app` by file path (``chainlit.utils.mount_chainlit``), so every module
here uses absolute imports only. ``session`` keeps the per-chat state, ``auth`` the login and
chat-history callbacks, ``handlers`` turns messages, uploads and microphone audio into answers,
and ``rendering`` shows the structured turn events (questions, feedback cards, report).
"""
