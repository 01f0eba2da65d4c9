"""Files the Chainlit room serves besides its code: wording, footer, styles, scripts.

Written into the generated app root by :func:`interview_coach.ui.chat_setup.prepare_chat_root`
before Chainlit is imported. Imports nothing from Chainlit (its config is read on import).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from interview_coach.core.settings import Settings

HERE = Path(__file__).parent
PUBLIC = HERE / "public"
TEXT_OVERRIDES = HERE / "texts.en-US.json"
LANGUAGE = "en-US"
WELCOME_FILE = "room-welcome.json"
# The home screen's instructions (shown by public/room.js above the role starters).
WELCOME = (
    "Pick a role below or type start <role>, e.g. start Data Scientist. "
    "Upload your resume or paste a job description first to tailor the questions.",
    "Answer each question by typing, with the microphone, or by uploading a recording. "
    "Commands: /repeat, /skip, /status, /end.",
    "Practice mode gives feedback after each answer; the settings (gear button) set the mode, length, "
    "camera and metric opt-outs.",
    "After the report, ask your coach about any answer or past session.",
)
NO_LLM_FOOTER = "Scores come from measured evidence. Feedback is worded by built-in rules; no language model runs."


def footer_text(settings: Settings) -> str:
    """Return the footer line for the configured wording engine (no claim about an LLM that is not there)."""
    model = settings.llm_model.strip()
    if not model or model == "builtin":
        return NO_LLM_FOOTER
    return (
        f"Scores come from measured evidence. Feedback is worded by the language model {model}, "
        "which can make mistakes: check the evidence."
    )


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``overrides`` applied key by key (nested dictionaries merged)."""
    merged = dict(base)
    for key, value in overrides.items():
        current = merged.get(key)
        merged[key] = merge(current, value) if isinstance(current, dict) and isinstance(value, dict) else value
    return merged


def room_translation(stock: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Return Chainlit's stock English texts with the room's wording and footer."""
    texts = merge(stock, json.loads(TEXT_OVERRIDES.read_text("utf-8")))
    return merge(texts, {"chat": {"watermark": footer_text(settings)}})


def install_room_assets(root: Path, settings: Settings, stock_translations: Path) -> None:
    """Write the room's translation files and public files into the Chainlit app root.

    Every language gets the English room texts: the stock translations of other languages
    would bring back "Email address" and the LLM footer.

    Args:
        root: the Chainlit app root (``<data_dir>/chainlit``).
        settings: the app settings (the footer names the configured model).
        stock_translations: Chainlit's own ``translations`` folder.
    """
    stock = json.loads((stock_translations / f"{LANGUAGE}.json").read_text("utf-8"))
    text = json.dumps(room_translation(stock, settings), indent=2, ensure_ascii=False)
    folder = root / ".chainlit" / "translations"
    folder.mkdir(parents=True, exist_ok=True)
    for language in sorted({p.stem for p in stock_translations.glob("*.json")} | {LANGUAGE}):
        (folder / f"{language}.json").write_text(text, "utf-8")
    public = root / "public"
    public.mkdir(parents=True, exist_ok=True)
    (public / WELCOME_FILE).write_text(json.dumps({"title": "How it works", "steps": list(WELCOME)}), "utf-8")
    for item in PUBLIC.rglob("*"):
        if item.is_file():
            target = public / item.relative_to(PUBLIC)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item, target)
