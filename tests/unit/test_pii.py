"""PII scrubbing and fine-tuning format validation cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interview_coach.learning.pii import PiiScrubber, ScrubReport, name_parts, resume_header_name, scrub_value
from interview_coach.learning.validate import (
    chat_example_error,
    estimate_tokens,
    preference_example_error,
    validate_jsonl,
)

SCRUBBER = PiiScrubber(["Ada Lovelace", "Ada K. Lovelace"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mail me at ada.l+jobs@example.co.uk today.", "Mail me at [EMAIL] today."),
        ("Reach me: first_last@sub.domain.io", "Reach me: [EMAIL]"),
        ("Call (415) 555-0132 after six.", "Call [PHONE] after six."),
        ("Office +44 20 7946 0958, mobile +49 30 901820.", "Office [PHONE], mobile [PHONE]."),
        ("Phone: 415.555.0199", "Phone: [PHONE]"),
        ("See https://ada.dev/projects?id=3 for details.", "See [URL] for details."),
        ("Profiles: www.linkedin.com/in/ada-l and github.com/adal", "Profiles: [URL] and [URL]"),
        ("Ada Lovelace led the team; Ada's plan worked.", "[NAME] led the team; [NAME] plan worked."),
        ("LOVELACE signed off.", "[NAME] signed off."),
        ("My name is Grace Hopper and I build compilers.", "My name is [NAME] and I build compilers."),
    ],
)
def test_personal_data_becomes_placeholders(text: str, expected: str) -> None:
    assert SCRUBBER.scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We cut p99 latency from 1200 ms to 300 ms in 2021.",
        "Throughput went from 1,200,000 to 3,400,000 requests per day (+183%).",
        "Ticket #4521, order 12345678, released 2023-10-14, version 3.11.4.",
        "Adaptive caching is about adapters and Adamant retries.",
        "The Candidate explained the trade-offs.",
    ],
)
def test_metrics_dates_and_ordinary_words_are_kept(text: str) -> None:
    report = ScrubReport()
    assert PiiScrubber(["Ada Lovelace", "Candidate"]).scrub(text, report) == text
    assert sum(report.counts.values()) == 0


def test_counts_and_idempotence() -> None:
    report = ScrubReport()
    once = SCRUBBER.scrub("Ada Lovelace, ada@x.org, 415-555-0132, https://a.io", report)
    assert once == "[NAME], [EMAIL], [PHONE], [URL]"
    assert dict(report.counts) == {"name": 1, "email": 1, "phone": 1, "url": 1}
    assert SCRUBBER.scrub(once) == once


def test_name_lists_come_from_profile_and_resume_header() -> None:
    assert name_parts(["Ada Lovelace", "Candidate", "J"]) == ["Ada Lovelace", "Lovelace", "Ada"]
    assert resume_header_name("# Ada K. Lovelace\nada@example.com\nSenior engineer") == "Ada K. Lovelace"
    assert resume_header_name("Senior backend engineer with 8 years of experience") is None
    assert resume_header_name("\n\nSUMMARY\nAda Lovelace") is None


def test_json_values_are_scrubbed_without_breaking_structure() -> None:
    value = {"text": "Ask Ada at ada@x.org", "items": ["call 415-555-0132", 3], "n": None}
    report = ScrubReport()
    clean = scrub_value(value, SCRUBBER, report)
    assert clean == {"text": "Ask [NAME] at [EMAIL]", "items": ["call [PHONE]", 3], "n": None}
    assert json.loads(json.dumps(clean)) == clean


# -- fine-tuning format validation ------------------------------------------------------------


def chat(*roles: str) -> dict[str, object]:
    return {"messages": [{"role": r, "content": f"{r} text"} for r in roles]}


@pytest.mark.parametrize(
    ("example", "problem"),
    [
        (chat("system", "user", "assistant"), None),
        (chat("user", "assistant", "user", "assistant"), None),
        (chat("system", "assistant"), "first turn"),
        (chat("system", "user", "user", "assistant"), "alternate"),
        (chat("system", "user"), "last message"),
        (chat("user", "system", "assistant"), "only come first"),
        ({"messages": [{"role": "tool", "content": "x"}]}, "role 'tool'"),
        ({"messages": [{"role": "user", "content": " "}, {"role": "assistant", "content": "a"}]}, "empty"),
        (
            {"messages": [{"role": "user", "content": "q", "extra": 1}, {"role": "assistant", "content": "a"}]},
            "unknown keys",
        ),
        ({"prompt": "x"}, "'messages'"),
        ({"messages": []}, "non-empty"),
    ],
)
def test_chat_format_checks_roles_and_order(example: object, problem: str | None) -> None:
    error = chat_example_error(example)
    assert (error is None) if problem is None else (error is not None and problem in error)


def test_token_limit_is_enforced() -> None:
    long = {"messages": [{"role": "user", "content": "word " * 4000}, {"role": "assistant", "content": "ok"}]}
    assert estimate_tokens(long["messages"]) > 4000
    assert chat_example_error(long, max_tokens=16_384) is None
    error = chat_example_error(long, max_tokens=1000)
    assert error is not None and "over the limit of 1000" in error


def test_preference_format_needs_distinct_single_assistant_outputs() -> None:
    good = {
        "input": {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]},
        "preferred_output": [{"role": "assistant", "content": "better"}],
        "non_preferred_output": [{"role": "assistant", "content": "worse"}],
    }
    assert preference_example_error(good) is None
    same = {**good, "non_preferred_output": [{"role": "assistant", "content": "better "}]}
    assert "identical" in (preference_example_error(same) or "")
    ends_with_assistant = {**good, "input": chat("user", "assistant")}
    assert "last message" in (preference_example_error(ends_with_assistant) or "")
    two = {**good, "preferred_output": [{"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"}]}
    assert "exactly one" in (preference_example_error(two) or "")


def test_validate_jsonl_reports_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    lines = [json.dumps(chat("user", "assistant")), "{not json", "", json.dumps(chat("assistant"))]
    path.write_text("\n".join(lines) + "\n")
    report = validate_jsonl(path, "chat")
    assert (report.lines, report.valid) == (3, 1)
    assert [n for n, _ in report.errors] == [2, 4] and not report.ok
    assert report.max_tokens_seen > 0
