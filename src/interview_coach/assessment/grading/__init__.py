"""Trained short-answer grader: agreement between an answer and a reference, with model registry.

Public entry points: :class:`~interview_coach.assessment.grading.model.Grader`,
:class:`~interview_coach.assessment.grading.model.GradeResult`,
:func:`~interview_coach.assessment.grading.batch.grade_jsonl` and the registry functions in
:mod:`interview_coach.assessment.grading.registry`. Modules are imported lazily by callers so
that importing this package does not load numpy or torch.
"""
