"""Custom Rasa NLU components (loaded by config.yml, run in the Rasa environment)."""
