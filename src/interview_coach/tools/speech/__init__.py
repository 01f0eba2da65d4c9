"""Speech synthesis: the interviewer's voice (offline Piper voice, espeak-ng as the fallback)."""

from interview_coach.tools.speech.tts import (
    SpeechSynthesizer,
    SynthesisError,
    SynthesizedSpeech,
    get_synthesizer,
)

__all__ = ["SpeechSynthesizer", "SynthesisError", "SynthesizedSpeech", "get_synthesizer"]
