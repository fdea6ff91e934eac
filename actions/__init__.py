"""Tongban's action server skills (rasa-sdk), served by `python -m actions.server`."""

import logging
import multiprocessing

from actions.context import knowledge

if multiprocessing.parent_process() is not None:
    # In the Sanic worker that serves: load the catalogue and index now, not on the first
    # question (a missing index stops the server here, naming `make index`). Not in the
    # parent, which only registers actions: loading there would fix the multiprocessing
    # start method before Sanic sets it.
    knowledge()
    logging.getLogger(__name__).info("Tongban actions ready")
