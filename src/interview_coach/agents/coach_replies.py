"""The builtin coach's replies, one per intent, each saying what it was grounded on.

Every reply returns its text and the sources it really used (``report:Q2``,
``memory:session_summary:<id>``, ``kb:<pattern>``...), so ``grounded_on`` never claims more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from interview_coach.assessment.coach_nlu import Resolution, SessionInfo
from interview_coach.assessment.knowledge import CoachingPattern, find_pattern
from interview_coach.assessment.labels import score_phrase, signal_label
from interview_coach.assessment.progress import TRACKED_METRICS
from interview_coach.assessment.report import number_results, question_findings
from interview_coach.domain import MemoryRecord, QuestionReport, SessionReport

HELP = (
    "I'm your interview coach. Ask me things like: 'why was my second answer scored low?', "
    "'how do I fix that?', 'what did I do in my last session?', 'what did we work on in the SRE interview?', "
    "'give me a drill for fillers', 'make me a practice plan', 'show my progress', 're-answer question 1'."
)


@dataclass
class Draft:
    """A reply being written, with the sources it used."""

    text: str
    grounded_on: list[str] = field(default_factory=list)
    drill: str | None = None


def main_questions(report: SessionReport) -> list[QuestionReport]:
    """Return the report's main questions (no follow-ups), Q1 first."""
    return [q for q in number_results(report.questions) if q.ref is not None and not q.ref.follow_up]


def question_of(report: SessionReport | None, number: int | None) -> QuestionReport | None:
    """Return main question ``number`` of the report, if it exists."""
    if report is None or number is None:
        return None
    return next((q for q in main_questions(report) if q.ref is not None and q.ref.number == number), None)


def _quality(question: QuestionReport) -> str:
    score = question.scores.get("answer_quality")
    return f"{score.value}" if score is not None and score.value is not None else "not measured"


def explain_question(report: SessionReport, question: QuestionReport) -> Draft:
    """Why one main question scored as it did: scores, what moved them, weaknesses with evidence."""
    assert question.ref is not None
    number = question.ref.number
    if question.input_mode == "skipped":
        text = f"Question {number} was skipped, so there is nothing to score. Say 're-answer question {number}' to answer it now."
        return Draft(text, [f"report:Q{number}"])
    scores = "; ".join(score_phrase(k, v.value).lower() for k, v in question.scores.items() if v.value is not None)
    lines = [f"Question {number} ({question.question.text}) scored: {scores or 'nothing measurable'}."]
    quality = question.scores.get("answer_quality")
    if quality:
        drivers = sorted((s for s in quality.signals if s.effect), key=lambda s: s.effect)
        negatives = [f"{signal_label(s.name)} ({s.effect:+.0f})" for s in drivers if s.effect < 0][:3]
        positives = [f"{signal_label(s.name)} ({s.effect:+.0f})" for s in reversed(drivers) if s.effect > 0][:2]
        if negatives:
            lines.append("What pulled it down: " + ", ".join(negatives) + ".")
        if positives:
            lines.append("What helped: " + ", ".join(positives) + ".")
    for finding in [f for f in question_findings(question) if f.polarity == "weakness"][:3]:
        cited = "; ".join(
            e.detail if e.start_s is not None else f'"{e.quote}"'
            for e in finding.evidence[:2]
            if e.start_s is not None or e.quote
        )
        lines.append(f"- {finding.message}" + (f" Evidence: {cited}." if cited else ""))
    for follow_up in number_results(report.questions):
        if follow_up.ref and follow_up.ref.number == number and follow_up.ref.follow_up:
            lines.append(
                f"Its {follow_up.ref.label} ({follow_up.question.text}) scored answer quality {_quality(follow_up)}."
            )
    lines.append("Ask 'how do I fix that?' for a drill, or say 're-answer question " + f"{number}' to try again.")
    return Draft("\n".join(lines), [f"report:Q{number}"])


def question_list(report: SessionReport, lead: str) -> Draft:
    """List the session's questions with their answer quality, lowest first named."""
    questions = main_questions(report)
    lines = [lead]
    lines += [
        f"- Q{q.ref.number if q.ref else '?'}: {q.question.text} (answer quality {_quality(q)})" for q in questions
    ]
    return Draft("\n".join(lines), ["report"])


def drill_text(pattern: CoachingPattern) -> str:
    """Describe a coaching pattern: why it matters and its drill."""
    text = f"**{pattern.title}**. {pattern.why}".strip()
    if pattern.drill:
        steps = "\n".join(f"{i}. {step}" for i, step in enumerate(pattern.drill.steps, 1))
        text += f"\n\nDrill: *{pattern.drill.name}* ({pattern.drill.duration_min} min)\n{steps}"
        if pattern.drill.success_metric:
            text += f"\nYou're there when: {pattern.drill.success_metric}"
    return text


def improve_question(question: QuestionReport, asked_for: CoachingPattern | None) -> Draft | None:
    """Give a drill for one question's own weaknesses (the asked-for skill first, if the question shows it)."""
    assert question.ref is not None
    number = question.ref.number
    weaknesses = [f for f in question_findings(question) if f.polarity == "weakness"]
    pairs = [(f, p) for f in weaknesses if (p := find_pattern(f.pattern_id, f.metric)) is not None]
    if not pairs:
        return None
    finding, chosen = next((pair for pair in pairs if asked_for and pair[1].id == asked_for.id), pairs[0])
    lines = [f"For Q{number} ({question.question.text}) the main thing to fix: {finding.message}"]
    lines += [f"- {tip}" for tip in chosen.tips[:2]]
    lines.append("\n" + drill_text(chosen))
    return Draft(
        "\n".join(lines), [f"report:Q{number}", f"kb:{chosen.id}"], chosen.drill.name if chosen.drill else None
    )


def top_weaknesses(
    report: SessionReport | None, records: Sequence[MemoryRecord], limit: int = 3
) -> tuple[list[CoachingPattern], list[str]]:
    """Find the most frequent weakness patterns in the report and memory, with the sources they came from."""
    found: list[tuple[str, str, str]] = []
    if report:
        for question in report.questions:
            found += [
                (f.pattern_id, f.metric, "report") for f in question_findings(question) if f.polarity == "weakness"
            ]
    for record in records:
        source = f"memory:{record.kind}"
        found += [(str(pid), "", source) for pid in record.data.get("weakness_patterns", [])]
    patterns: dict[str, CoachingPattern] = {}
    sources: list[str] = []
    for pattern_id, metric, source in found:
        pattern = find_pattern(pattern_id, metric or None)
        if pattern and (pattern.id in patterns or len(patterns) < limit):
            patterns.setdefault(pattern.id, pattern)
            if source not in sources:
                sources.append(source)
    return list(patterns.values()), sources


def practice_plan(report: SessionReport | None, records: Sequence[MemoryRecord]) -> Draft:
    """Build a one-week plan from the measured weak spots."""
    patterns, sources = top_weaknesses(report, records)
    if not patterns:
        return Draft(
            "I don't see measured weak spots yet. Plan: 3 sessions this week at a higher seniority level, "
            "one with a pasted job description; I'll build a targeted plan from their numbers."
        )
    lines = ["A one-week practice plan built from your measured weak spots:"]
    for day, pattern in zip(("Mon/Tue", "Wed/Thu", "Fri"), patterns, strict=False):
        drill = pattern.drill.name if pattern.drill else pattern.tips[0] if pattern.tips else pattern.title
        lines.append(f"- {day}: {pattern.title}: {drill}")
    lines.append("- Weekend: a full mock interview; compare the numbers with this one.")
    return Draft("\n".join(lines), sources)


def session_numbers(metrics: dict[str, float]) -> str:
    """Format the tracked headline numbers of a session, labelled ("answer quality 62, fillers/min 3.1")."""
    parts = [
        f"{label} {fmt.format(metrics[name])}" for name, (label, fmt, _) in TRACKED_METRICS.items() if name in metrics
    ]
    return ", ".join(parts)


def session_title(session: SessionInfo) -> str:
    """Name a session by role and date ("your Site Reliability Engineer interview on Wed 18 Nov 2026")."""
    return f"your {session.role} interview on {session.created_at:%a %d %b %Y}"


def recap_past_session(session: SessionInfo) -> Draft:
    """Recap what a past session covered, from its summary in memory: role, date, numbers, questions, weak spots."""
    numbers = session_numbers(session.metrics)
    lines = [f"In {session_title(session)}" + (f" you scored: {numbers}." if numbers else ".")]
    if session.questions:
        lines.append("We worked on:")
        lines += [f"{i}. {text}" for i, text in enumerate(session.questions, 1)]
    titles = [p.title for pid in session.weakness_patterns if (p := find_pattern(pid)) is not None]
    if titles:
        lines.append("To work on from it: " + "; ".join(titles[:3]) + ".")
    return Draft("\n".join(lines), [f"memory:session_summary:{session.session_id}"])


def recap_report(report: SessionReport, session: SessionInfo | None) -> Draft:
    """Recap what the session in focus covered, from its full report."""
    title = session_title(session) if session else f"your {report.profile.role} interview"
    scores = "; ".join(
        score_phrase(k, v.value).lower() for k, v in report.overall_scores.items() if v.value is not None
    )
    draft = question_list(report, f"In {title} you scored: {scores or 'nothing measurable yet'}. Questions:")
    lines = [draft.text]
    if report.strengths:
        lines.append("Keep doing: " + report.strengths[0])
    if report.weaknesses:
        lines.append("Biggest thing to work on: " + report.weaknesses[0])
    return Draft("\n".join(lines), draft.grounded_on)


def session_not_found(resolution: Resolution, sessions: Sequence[SessionInfo]) -> Draft:
    """Say that no session matches the words used, and list the sessions there are."""
    if not sessions:
        return Draft("You have no finished sessions yet. Do a mock interview and I'll remember it.")
    listed = "; ".join(f"{s.role} on {s.created_at:%a %d %b}" for s in sessions[:5])
    cue = resolution.unresolved or resolution.session_cue or "like that"
    return Draft(f"I don't see a session {cue}. Your sessions: {listed}.", ["memory:session_summary"])


def story_bank(stories: Sequence[MemoryRecord]) -> Draft:
    """List the saved STAR stories worth reusing."""
    if not stories:
        return Draft(
            "Your story bank is empty so far. Strong behavioural answers with a full STAR structure are saved here automatically."
        )
    lines = ["Your strongest stories and what they prove:"]
    lines += [f"- {s.text} (competencies: {', '.join(s.competencies) or 'general'})" for s in stories[:5]]
    return Draft("\n".join(lines), ["memory:star_story"])


def smalltalk(message: str) -> Draft:
    """Give a short, friendly answer to thanks or a greeting (no help paragraph)."""
    lowered = message.lower()
    if any(word in lowered for word in ("thank", "thx", "cheers", "appreciate")):
        return Draft("You're welcome. Ask me about any question or session whenever you like.")
    return Draft("Hi! What shall we look at: a question's score, a past session, a drill or a practice plan?")
