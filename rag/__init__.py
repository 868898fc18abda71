"""newsqa: questions about newspaper issues, answered with cited paragraphs."""

import os

# Offline always: no model hub, no telemetry. Set before any Hugging Face or Gradio import.
for _var, _val in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("GRADIO_ANALYTICS_ENABLED", "False")):
    os.environ[_var] = _val
