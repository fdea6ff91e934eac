"""Tongban's action server skills (rasa-sdk), served by `python -m actions.server`."""
