"""Read the SAF short-answer-feedback data set (Filighera et al., 2022), English XML files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

SPLITS = ("training", "unseen_answers", "unseen_questions")
_VERDICTS = {"correct": "correct", "partially correct": "partially_correct", "incorrect": "incorrect"}


@dataclass(frozen=True)
class LabelledExample:
    """One graded answer: what the grader trains and is validated on.

    Attributes:
        question: the question text.
        answer: the student's answer.
        reference: the reference answer.
        score: human score on a 0-1 scale.
        question_id: groups answers to the same question (for per-question metrics and CV).
        verdict: ``correct`` / ``partially_correct`` / ``incorrect`` when known.
    """

    question: str
    answer: str
    reference: str
    score: float
    question_id: str = "extra"
    verdict: str | None = None


def _clean(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines()]
    return "\n".join(line for line in lines if line)


def load_split(saf_dir: Path, split: str) -> list[LabelledExample]:
    """Load one split (``training``, ``unseen_answers`` or ``unseen_questions``).

    Questions with several reference answers use them joined as one multi-sentence reference.

    Args:
        saf_dir: the ``saf`` folder (containing ``training/english/*.xml``...).
        split: split name.

    Returns:
        Examples in file order.

    Raises:
        FileNotFoundError: when the split folder has no XML files.
    """
    files = sorted((saf_dir / split / "english").glob("*.xml"))
    if not files:
        raise FileNotFoundError(f"no SAF XML files under {saf_dir / split / 'english'}")
    examples: list[LabelledExample] = []
    for path in files:
        root = ET.parse(path).getroot()
        qid = root.get("id") or path.stem
        question = _clean(root.findtext("questionText"))
        reference = "\n".join(_clean(r.text) for r in root.iter("referenceAnswer"))
        for student in root.iter("studentAnswer"):
            verdict = (student.findtext("verification_feedback") or "").strip().lower()
            examples.append(
                LabelledExample(
                    question=question,
                    answer=_clean(student.findtext("response")),
                    reference=reference,
                    score=float(student.findtext("score") or 0.0),
                    question_id=f"{split}:{qid}",
                    verdict=_VERDICTS.get(verdict),
                )
            )
    return examples
