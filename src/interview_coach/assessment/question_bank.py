"""The curated question bank and deterministic question selection."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from interview_coach.core.embedding import Embedder
from interview_coach.domain import CandidateProfile, Question, QuestionKind, Seniority

_WORD = re.compile(r"[a-z][a-z0-9+#.\-]{1,}")
_STOPWORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "you",
        "your",
        "our",
        "are",
        "was",
        "were",
        "this",
        "that",
        "from",
        "have",
        "has",
        "will",
        "can",
        "not",
        "but",
        "all",
        "any",
        "into",
        "about",
        "their",
        "they",
        "them",
        "who",
        "what",
        "when",
        "where",
        "which",
        "while",
        "how",
        "why",
        "job",
        "role",
        "team",
        "work",
        "years",
        "year",
        "experience",
        "strong",
        "skills",
        "ability",
        "using",
        "used",
        "use",
        "etc",
        "such",
        "also",
        "including",
        "plus",
    ]
)

ROLE_FAMILY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "backend": ("backend", "back-end", "api", "server", "platform"),
    "frontend": ("frontend", "front-end", "react", "ui ", "web developer"),
    "data_science": ("data scientist", "data science", "analyst", "statistic"),
    "data_engineering": ("data engineer", "etl", "pipeline"),
    "machine_learning": ("machine learning", "ml engineer", "ai engineer", "deep learning"),
    "devops": ("devops", "sre", "site reliability", "infrastructure", "cloud engineer"),
    "product_management": ("product manager", "product owner", "product management"),
    "engineering_management": ("engineering manager", "head of engineering", "team lead", "director of engineering"),
    "software_engineering": ("software", "developer", "engineer", "programmer"),
}


@dataclass(frozen=True)
class QuestionBank:
    """All curated questions plus the bank's version."""

    version: str
    questions: tuple[Question, ...]
    competencies: tuple[str, ...]

    def by_id(self, question_id: str) -> Question:
        """Return one question.

        Raises:
            KeyError: no question has that id.

        """
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(f"No question with id {question_id!r} in bank v{self.version}")


@lru_cache(maxsize=1)
def load_question_bank() -> QuestionBank:
    """Load and validate the packaged question bank."""
    raw: dict[str, Any] = yaml.safe_load((files("interview_coach") / "data" / "question_bank.yaml").read_text("utf-8"))
    questions = tuple(Question.model_validate(item) for item in raw["questions"])
    return QuestionBank(
        version=str(raw.get("version", "0")),
        questions=questions,
        competencies=tuple(raw.get("competencies", [])),
    )


def infer_role_families(profile: CandidateProfile) -> set[str]:
    """Guess role families from the profile's role text and job description."""
    text = f" {profile.role} {profile.job_description[:2000]} ".lower()
    families = {profile.role_family} if profile.role_family else set()
    for family, needles in ROLE_FAMILY_KEYWORDS.items():
        # "Engineering manager" and "product manager" contain "engineer"/"product" but are not IC roles.
        if family == "software_engineering" and families & {"engineering_management", "product_management"}:
            continue
        if any(needle in text for needle in needles):
            families.add(family)
    if families & {"backend", "frontend"}:
        families.add("software_engineering")
    return families or {"software_engineering"}


def keywords(text: str) -> Counter[str]:
    """Count content words of a text (lower-case, no stop words)."""
    return Counter(w.strip(".-") for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 2)


def _stable_jitter(seed: str, question_id: str) -> float:
    digest = hashlib.sha256(f"{seed}:{question_id}".encode()).digest()
    return digest[0] / 255.0


def _kind_quota(count: int, kinds: list[QuestionKind]) -> dict[QuestionKind, int]:
    # An interview opens with behavioural questions, so ties favour them, then technical.
    order = [k for k in (QuestionKind.BEHAVIORAL, QuestionKind.TECHNICAL, QuestionKind.SITUATIONAL) if k in kinds]
    quota = dict.fromkeys(order, 0)
    for i in range(count):
        quota[order[i % len(order)]] += 1
    return quota


def select_questions(
    bank: QuestionBank,
    profile: CandidateProfile,
    *,
    count: int,
    kinds: list[QuestionKind] | None = None,
    weak_competencies: list[str] | None = None,
    exclude_ids: set[str] | None = None,
    seed: str = "",
) -> list[Question]:
    """Pick questions for a profile: role family, seniority, JD/resume keywords, past weak spots.

    The choice is deterministic for a given seed so a session can be replayed exactly.

    Args:
        bank: the question bank.
        profile: candidate and target role.
        count: how many main questions to ask.
        kinds: which question kinds to mix (all by default).
        weak_competencies: competencies the user was weak in before; they are favoured.
        exclude_ids: questions to avoid (e.g. asked in recent sessions).
        seed: variety between sessions (e.g. the session id).

    Returns:
        Questions ordered behavioural, technical, situational, interleaved.

    """
    kinds = kinds or list(QuestionKind)
    families = infer_role_families(profile) | {"general"}
    wanted = keywords(f"{profile.role} {profile.job_description} {profile.resume_text[:5000]}")
    weak = Counter(weak_competencies or [])
    exclude = exclude_ids or set()

    def relevance(question: Question) -> float:
        score = 0.0
        if set(question.role_families) & (families - {"general"}):
            score += 3.0
        if profile.seniority in question.seniority:
            score += 1.5
        tag_words = keywords(" ".join(question.tags) + " " + question.text)
        score += min(3.0, 0.6 * sum(1 for w in tag_words if w in wanted))
        score += 2.0 * min(2, weak.get(question.competency, 0))
        return score + _stable_jitter(seed, question.id)

    candidates = [
        q
        for q in bank.questions
        if q.kind in kinds and q.id not in exclude and set(q.role_families) & families and q.follow_up_of is None
    ]
    by_kind: dict[QuestionKind, list[Question]] = {k: [] for k in kinds}
    for question in sorted(candidates, key=relevance, reverse=True):
        by_kind[question.kind].append(question)

    chosen: list[Question] = []
    used_competencies: set[str] = set()
    for kind, quota in _kind_quota(count, kinds).items():
        pool = by_kind.get(kind, [])
        # Prefer distinct competencies so one interview probes several skills.
        fresh = [q for q in pool if q.competency not in used_competencies]
        picks = (fresh + [q for q in pool if q not in fresh])[:quota]
        used_competencies.update(q.competency for q in picks)
        chosen.extend(picks)
    return _interleave(chosen)[:count]


def _interleave(questions: list[Question]) -> list[Question]:
    groups: dict[QuestionKind, list[Question]] = {}
    for question in questions:
        groups.setdefault(question.kind, []).append(question)
    ordered: list[Question] = []
    while any(groups.values()):
        for kind in (QuestionKind.BEHAVIORAL, QuestionKind.TECHNICAL, QuestionKind.SITUATIONAL):
            if groups.get(kind):
                ordered.append(groups[kind].pop(0))
    return ordered


def seniority_from_text(text: str) -> Seniority:
    """Guess seniority from words such as 'senior' or 'junior' in a title."""
    lowered = text.lower()
    for needle, level in (
        ("principal", Seniority.LEAD),
        ("staff", Seniority.LEAD),
        ("lead", Seniority.LEAD),
        ("head of", Seniority.LEAD),
        ("senior", Seniority.SENIOR),
        ("sr.", Seniority.SENIOR),
        ("junior", Seniority.JUNIOR),
        ("graduate", Seniority.JUNIOR),
        ("intern", Seniority.JUNIOR),
    ):
        if needle in lowered:
            return level
    return Seniority.MID


_BEHAVIORAL_OPENERS = (
    "tell me about a time",
    "describe a time",
    "give me an example",
    "describe a situation",
    "have you ever",
)
_SITUATIONAL_OPENERS = ("what would you do", "how would you handle", "imagine", "suppose", "if you")


def question_from_text(text: str, embedder: Embedder, *, min_similarity: float = 0.75) -> Question:
    """Match free question text to the bank (for its key points), or build an ad-hoc question.

    Args:
        text: the question as the user typed it.
        embedder: sentence embeddings.
        min_similarity: cosine similarity above which a bank question is taken as the same.
    """
    bank = load_question_bank()
    vectors = embedder.encode([text, *(q.text for q in bank.questions)])
    similarities = vectors[1:] @ vectors[0]
    best = int(similarities.argmax())
    if float(similarities[best]) >= min_similarity:
        return bank.questions[best]
    lowered = text.lower()
    kind = (
        QuestionKind.BEHAVIORAL
        if lowered.startswith(_BEHAVIORAL_OPENERS)
        else QuestionKind.SITUATIONAL
        if lowered.startswith(_SITUATIONAL_OPENERS)
        else QuestionKind.TECHNICAL
    )
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return Question(id=f"adhoc-{digest}", text=text, kind=kind, competency="general")
