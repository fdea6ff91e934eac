# Tongban's front door. Every target creates what it needs first (virtual environments,
# indexes), so `make run` and `make test` work from a fresh clone.
#   PORTAL=shandong|guangdong picks the catalogue (default: shandong).

SHELL := /bin/bash
PORTAL ?= shandong
export PORTAL

# Rasa 3.6 needs Python 3.10; the action server, retrieval and services run on 3.11.
PYTHON310 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python3.10) $(shell command -v python3.10))
PYTHON311 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.11*/bin/python3.11) $(shell command -v python3.11))
VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
# Offline by construction: nothing may fetch model weights at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: help setup chromium run index train eval-retrieval eval-bot eval-dialogues eval-hotline train-hotline eval-hot eval-policy-extract eval-policy-match eval-gaps eval-docs bench test clean

help:
	@echo "make run             start Tongban on the embedded defaults (PORTAL=$(PORTAL))"
	@echo "make test            run every test"
	@echo "make index           build the retrieval index of PORTAL"
	@echo "make train           train the Rasa model of PORTAL if its training data changed"
	@echo "make eval-retrieval QUERIES=FILE   recall@k / MRR of hybrid, BM25 and dense"
	@echo "make eval-bot QUERIES=FILE         hit rate and latency through the running bot"
	@echo "make eval-dialogues DIALOGUES=FILE multi-turn accuracy through the running bot"
	@echo "make eval-policy-extract POLICIES=FILE            policy portraits from texts: condition P/R/F1"
	@echo "make eval-policy-match POLICIES=FILE PROFILES=FILE  eligibility on extracted portraits: P/R/F1, exact"
	@echo "make eval-gaps MESSAGES=FILE       catalogue gaps: grouping purity, inverse purity, coverage"
	@echo "make eval-docs DOCS=FILE QUESTIONS=FILE   documents: doc recall, MRR, passage hits, beside a baseline"
	@echo "make eval-hotline MESSAGES=FILE [TRAIN=FILE]    12345 work-order category: accuracy and macro-F1"
	@echo "make train-hotline TRAIN=FILE    the agent-assist classifier learns a deployment's labelled work orders"
	@echo "make eval-hot STREAM=FILE GOLD=FILE    hot-issue detection on planted events"
	@echo "make bench           speed and memory benchmarks"

$(VENV)/.installed: requirements/services.txt
	test -x "$(PY)" || $(PYTHON311) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements/services.txt
	touch $@

$(RASA_VENV)/.installed: requirements/rasa.txt
	test -x "$(RASA_VENV)/bin/python" || $(PYTHON310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install -q --upgrade pip
	$(RASA_VENV)/bin/python -m pip install -q -r requirements/rasa.txt
	touch $@

setup: $(VENV)/.installed $(RASA_VENV)/.installed

# Debian's chromium and a Chinese font for the browser tests (tests/test_widget.py):
# Playwright drives it and never downloads a browser of its own.
chromium:
	@test -x /usr/bin/chromium && fc-list :lang=zh | grep -q . || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium fonts-noto-cjk; }

index: $(VENV)/.installed
	$(PY) -m retrieval.build
	$(PY) -m documents.build

train: setup
	$(PY) -m bot.train

eval-bot: $(VENV)/.installed
	@test -n "$(QUERIES)" || { echo "usage: make eval-bot QUERIES=FILE (with the bot running: make run)"; exit 2; }
	$(PY) -m bot.eval $(QUERIES)

eval-dialogues: $(VENV)/.installed
	@test -n "$(DIALOGUES)" || { echo "usage: make eval-dialogues DIALOGUES=FILE (with the bot running: make run)"; exit 2; }
	$(PY) -m bot.eval_dialogues $(DIALOGUES)

eval-retrieval: $(VENV)/.installed
	@test -n "$(QUERIES)" || { echo "usage: make eval-retrieval QUERIES=FILE"; exit 2; }
	$(PY) -m retrieval.eval $(QUERIES)

eval-hotline: $(VENV)/.installed
	@test -n "$(MESSAGES)" || { echo "usage: make eval-hotline MESSAGES=FILE [TRAIN=FILE] (JSON lines: id, title, text, category)"; exit 2; }
	$(PY) -m assist.eval $(MESSAGES) $(if $(TRAIN),--train $(TRAIN))

train-hotline: $(VENV)/.installed
	@test -n "$(TRAIN)" || { echo "usage: make train-hotline TRAIN=FILE (a deployment's labelled work orders; kept in var/)"; exit 2; }
	$(PY) -m assist.train $(TRAIN)

eval-hot: $(VENV)/.installed
	@test -n "$(STREAM)" -a -n "$(GOLD)" || { echo "usage: make eval-hot STREAM=FILE GOLD=FILE"; exit 2; }
	$(PY) -m insight.eval $(STREAM) $(GOLD)

eval-policy-extract: $(VENV)/.installed
	@test -n "$(POLICIES)" || { echo "usage: make eval-policy-extract POLICIES=FILE (JSONL/YAML policies with gold conditions)"; exit 2; }
	$(PY) -m policies eval-extract $(POLICIES)

eval-policy-match: $(VENV)/.installed
	@test -n "$(POLICIES)" -a -n "$(PROFILES)" || { echo "usage: make eval-policy-match POLICIES=FILE PROFILES=FILE"; exit 2; }
	$(PY) -m policies eval-match $(POLICIES) $(PROFILES)

eval-gaps: $(VENV)/.installed
	@test -n "$(MESSAGES)" || { echo "usage: make eval-gaps MESSAGES=FILE (JSON lines: id, text, topic)"; exit 2; }
	$(PY) -m analytics.gaps $(MESSAGES)

eval-docs: $(VENV)/.installed
	@test -n "$(DOCS)" -a -n "$(QUESTIONS)" || { echo "usage: make eval-docs DOCS=FILE QUESTIONS=FILE (questions: JSON lines id, question, docid, answer)"; exit 2; }
	$(PY) -m documents.eval $(DOCS) $(QUESTIONS) $(EVAL_DOCS_ARGS)

bench: setup  # the load test starts Rasa too
	$(PY) -m bench

run: setup
	$(PY) -m bot.run  # builds or checks the indexes (bot/prepare.py) while Rasa loads

test: setup chromium
	$(PY) -m retrieval.build
	$(PY) -m documents.build
	$(PY) -m bot.quality
	$(PY) -m pytest -q tests

clean:
	rm -rf var .pytest_cache .rasa
