"""What text perception measured in an answer, plus the rubric scores assessment gives it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from interview_coach.domain.interview import QuestionKind
from interview_coach.domain.scores import Score

STAR_PARTS = ("situation", "task", "action", "result")
TECHNICAL_PARTS = ("definition", "example", "trade_off")


def _not_assessed() -> Score:
    return Score.not_measured("not assessed yet")


class LexicalFinding(BaseModel):
    """One lexical match: what it is and the words that showed it."""

    model_config = ConfigDict(frozen=True)

    kind: str
    text: str
    quote: str


class InjectionFlag(BaseModel):
    """Text that tries to instruct or manipulate the evaluator; it is flagged and never scored."""

    model_config = ConfigDict(frozen=True)

    kind: str
    """One of hidden_unicode, hidden_markup, encoded_payload, role_tag, fake_score,
    instruction_override, score_manipulation, evaluator_address, output_directive, planted_verdict."""
    detail: str
    quote: str


class StarStructure(BaseModel):
    """The sentence carrying each STAR part, or ``None`` when the part was not found.

    For a hypothetical (situational) question the situation is given by the question itself,
    so ``situation_optional`` is set and a missing situation is not reported.
    """

    model_config = ConfigDict(frozen=True)

    situation: str | None = None
    task: str | None = None
    action: str | None = None
    result: str | None = None
    situation_optional: bool = False

    @property
    def expected_parts(self) -> tuple[str, ...]:
        """The parts this answer is checked for."""
        return STAR_PARTS[1:] if self.situation_optional else STAR_PARTS

    @property
    def missing(self) -> list[str]:
        """Names of the expected STAR parts without a sentence."""
        return [part for part in self.expected_parts if getattr(self, part) is None]


class TechnicalStructure(BaseModel):
    """The sentence carrying each part of a technical explanation, plus the missing parts."""

    model_config = ConfigDict(frozen=True)

    definition: str | None = None
    example: str | None = None
    trade_off: str | None = None
    missing: list[str] = Field(default_factory=list)


class KeyPointCoverage(BaseModel):
    """How well one expected key point is covered, with the sentence that covers it best."""

    model_config = ConfigDict(frozen=True)

    point: str
    covered: bool = False
    """Set by assessment: whether ``match`` reaches the question kind's calibrated threshold."""
    similarity: float
    """Cosine similarity between the key point and its best sentence."""
    rubric_bonus: float = 0.0
    """Extra credit when a rubric-style point ("quantifies the outcome") meets a matching sentence feature."""
    quote: str | None = None

    @property
    def match(self) -> float:
        """Similarity plus rubric bonus: what coverage and credit are computed from."""
        return self.similarity + self.rubric_bonus


class TextAnalysis(BaseModel):
    """Everything measured in one answer's text; scores carry their signals and quotes.

    Perception fills the measurements; the assessment layer fills the calibrated and judged
    fields (``relevance``, ``off_topic``, ``covered`` key points, the scores, ``too_short``,
    the length verdict, ``quality_1_5`` and ``follow_up_reasons``).
    """

    model_config = ConfigDict(frozen=True)

    question_id: str
    question_kind: QuestionKind
    word_count: int
    sentence_count: int
    truncated: bool = False

    relevance: float = 0.0
    relevance_raw: float = 0.0
    """Uncalibrated cosine score behind ``relevance`` (comparable across answers to one question)."""
    relevance_score: Score = Field(default_factory=_not_assessed)
    off_topic: bool = False
    closest_quote: str | None = None
    """The sentence closest to the question; ``None`` when no sentence could be compared."""
    restated_question: list[str] = Field(default_factory=list)
    """Sentences that only restate the question (ignored by every measure)."""

    key_points: list[KeyPointCoverage] = Field(default_factory=list)
    key_point_coverage: float = 0.0
    missing_key_points: list[str] = Field(default_factory=list)

    star: StarStructure | None = None
    star_missing: list[str] = Field(default_factory=list)
    technical_structure: TechnicalStructure | None = None
    structure_score: Score = Field(default_factory=_not_assessed)

    numbers: list[LexicalFinding] = Field(default_factory=list)
    first_person_actions: int = 0
    we_actions: int = 0
    first_person_action_findings: list[LexicalFinding] = Field(default_factory=list)
    we_action_findings: list[LexicalFinding] = Field(default_factory=list)
    named_terms: list[LexicalFinding] = Field(default_factory=list)
    specificity_score: Score = Field(default_factory=_not_assessed)

    hedges: list[LexicalFinding] = Field(default_factory=list)
    fillers_in_text: list[LexicalFinding] = Field(default_factory=list)
    discourse_markers_in_text: list[LexicalFinding] = Field(
        default_factory=list, description="Mid-sentence 'like', 'you know', 'basically'...: reported, never scored."
    )
    repetitions: list[LexicalFinding] = Field(default_factory=list)
    hedging_score: Score = Field(default_factory=_not_assessed)

    uncredited: list[LexicalFinding] = Field(default_factory=list)
    """Sentences that earn no content credit (``kind``: not_prose, self_praise, vacuous, off_question)."""
    addresses_question: bool = True
    """Whether any sentence addresses the question; without one, no content credit at all."""
    substantive_word_count: int = 0
    """Words left without fillers, hedges, discourse markers, repeated sentences and restated questions."""
    estimated_speaking_s: float
    length_ratio: float | None = None
    length_vs_budget: str = ""
    too_short: bool = False

    injection_flags: list[InjectionFlag] = Field(default_factory=list)

    correctness_score: Score = Field(default_factory=_not_assessed)
    """Content correctness from the trained grader: does the answer say what a good answer says."""
    correctness_verdict: str | None = None
    grader_version: str | None = None
    """The grader model version that judged correctness (``untrained-...`` for the fallback)."""
    grader_note: str | None = None
    answer_quality: Score = Field(default_factory=_not_assessed)
    quality_1_5: int | None = Field(default=None, ge=1, le=5)
    follow_up_reasons: list[str] = Field(default_factory=list)
    not_measured_reason: str | None = None
    """Why the text could not be measured; ``None`` when it was (an empty answer is measured as empty)."""
