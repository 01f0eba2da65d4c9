"""Fine-tuning the feedback LLM: ``interview-coach train llm`` (LoRA SFT with TRL + PEFT, optional DPO).

Modules: ``corpus`` (the SAF seed corpus and exported sessions, checked line by line), ``train``
(SFT, DPO, merging), ``checkpoints`` (resume after Ctrl-C or a full disk, progress), ``evaluate``
(verdict accuracy, ROUGE-L, parse rate and latency on SAF's unseen splits), ``card`` (model card,
registry kind ``llm``, promotion only without regression) and ``run`` (one run end to end).
The tuned model is served in-process as ``INTERVIEW_COACH_LLM_MODEL=hf:<version>/merged``
(:mod:`interview_coach.agents.llm.hf`). torch, transformers, trl, peft and datasets are imported
only when a run starts (``pip install 'interview-coach[finetune]'``).
"""
