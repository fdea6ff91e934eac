"""Ways people reach Tongban: Rasa input channels and the web widget."""
