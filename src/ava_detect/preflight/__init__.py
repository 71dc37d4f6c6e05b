"""Pre-flight prompt scoring: per failure mode a risk (green, yellow, red) before generating.

:mod:`.rules` (what is known, with the source of each rule), :mod:`.score` (pure scoring and
rewrites), :mod:`.learn` (the user's own failure counts for prompts with the same features) and
:mod:`.command` (``ava-detect preflight``). No model, no numpy: it answers at once.
"""
