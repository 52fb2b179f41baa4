# The two commands: `make run` (the app with demo data) and `make test` (the whole suite).
PORT ?= 8000
PY := .venv/bin/python
DEV_ENV := DEBUG=$${DEBUG:-true}
# Links in the demo's emails point at the port it serves on
RUN_ENV := $(DEV_ENV) SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}

.PHONY: run test lint worker code bench

run:
	@scripts/bootstrap base
	@$(DEV_ENV) $(PY) manage.py migrate --noinput -v0
	@$(DEV_ENV) $(PY) manage.py createcachetable
	@$(DEV_ENV) $(PY) manage.py load_demo --if-empty
	@echo ""
	@echo "PCC Responses: http://127.0.0.1:$(PORT)/"
	@echo "Demo sign-ins, password demo-pass-2026:"
	@echo "  Hampshire and Isle of Wight: alice (editor), pat (approver), ana (analyst),"
	@echo "    ada (administrator), fred (force contributor)"
	@echo "  Thames Valley: olly (editor);  admin: the Django admin at /admin/ (operators)"
	@echo "  pat and ada are asked for an authenticator code: make code WHO=pat (or WHO=ada) prints it"
	@echo "Background tasks (board packs, emails) run in a worker started alongside (var/worker.log);"
	@echo "the daily digest goes out at $${DIGEST_AT:-07:00} from the scheduler (var/schedule.log)."
	@echo ""
	@$(RUN_ENV) $(PY) manage.py db_worker --interval 1 > var/worker.log 2>&1 & worker=$$!; \
		$(RUN_ENV) PYTHONUNBUFFERED=1 $(PY) manage.py run_schedule > var/schedule.log 2>&1 & schedule=$$!; \
		trap 'kill $$worker $$schedule 2>/dev/null' EXIT INT TERM; \
		$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test:
	@scripts/bootstrap dev
	@command -v chromium >/dev/null 2>&1 || [ -n "$${CHROMIUM_PATH:-}" ] || \
		echo "Chromium not found: browser tests will be SKIPPED. Install it with: sudo apt-get install -y chromium"
	@$(PY) -m pytest $(PYTEST_ARGS)

lint:
	@scripts/bootstrap dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(DEV_ENV) .venv/bin/mypy .
	.venv/bin/lint-imports --no-logo
	$(DEV_ENV) $(PY) manage.py check
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

worker:
	@$(DEV_ENV) $(PY) manage.py db_worker

# The code a demo user's authenticator app would show now: make code WHO=ada
WHO ?= pat
code:
	@$(DEV_ENV) $(PY) manage.py two_factor_code $(WHO)

# Every key page under load on the national data set, served by gunicorn as in production
# (not part of CI: minutes long, and its figures need a quiet machine). README: "Speed".
bench:
	@scripts/bootstrap dev
	@command -v wrk >/dev/null 2>&1 || { echo "bench needs wrk: sudo apt-get install -y wrk"; exit 1; }
	@scripts/bench $(BENCH_ARGS)
