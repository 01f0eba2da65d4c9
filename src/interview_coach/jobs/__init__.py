"""Perception as jobs: the in-process runner and Dramatiq workers on Redis (issue 16).

The graph depends only on :class:`interview_coach.core.ports.PerceptionRunner`; the composition
root picks :class:`~interview_coach.jobs.inline.InlinePerceptionRunner` (default, no broker) or
:class:`~interview_coach.jobs.client.WorkerPerceptionRunner` (``INTERVIEW_COACH_PERCEPTION=workers``),
and ``interview-coach worker`` runs :func:`~interview_coach.jobs.worker.run_worker`.
"""
