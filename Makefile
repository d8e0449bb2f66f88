# The two commands a new user needs: `make run` and `make test`.
# Everything else here is what those two are made of.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Local development runs with DEBUG on; production sets its own environment.
export DEBUG ?= true

.PHONY: run test lint format migrate demo lock messages clean

run: $(VENV)/.runtime-installed migrate demo
	@echo ""
	@echo "Callcenter is starting at http://$(HOST):$(PORT)/"
	@echo "Demo logins (password: demo): agent, supervisor, admin, manager"
	@echo "The task worker runs beside it: e-mails to callers are printed here. So does the"
	@echo "e-mail intake (fetch_mail --idle), for the mailboxes under Administration."
	@echo "So do the phone system and its media service when they are installed (or a line"
	@echo "saying calls are off)."
	@echo ""
	@trap 'kill $$worker $$mail $$phone $$media 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	$(BIN)/python manage.py fetch_mail --idle & mail=$$!; \
	$(BIN)/python manage.py phone_system & phone=$$!; \
	$(BIN)/python manage.py media_service & media=$$!; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n auto --dist worksteal

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: $(VENV)/.runtime-installed
	$(BIN)/python manage.py migrate --noinput

demo: $(VENV)/.runtime-installed
	$(BIN)/python manage.py load_demo_data

# Re-extract the interface strings; translate what is new in locale/*/LC_MESSAGES/django.po,
# then compile. Needs gettext (apt-get install gettext).
messages: $(VENV)/.dev-installed
	$(BIN)/python manage.py makemessages --no-location --no-obsolete --ignore=.venv --ignore=bench -l de -l nb
	$(BIN)/python manage.py compilemessages --ignore=.venv

# Update the pinned dependencies after changing pyproject.toml.
lock: $(VENV)/.dev-installed
	$(BIN)/pip-compile -q --strip-extras --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links \
		-o requirements.txt pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links \
		--extra dev -o requirements-dev.txt pyproject.toml

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	touch $@

$(VENV)/.runtime-installed: requirements.txt $(VENV)/.created
	$(BIN)/pip install -q --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.created
	$(BIN)/pip install -q --require-hashes -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

clean:
	rm -rf $(VENV) staticfiles
