# Production image: gunicorn serving Django, static files served by WhiteNoise from the image
# (the last stage, `web`), and the phone system's image (`--target phone`). Used by
# docker-compose.yml; see README "Run like production".

# --- build: dependencies, compiled translations, collected static files --------------------
FROM python:3.11-slim AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext's msgfmt compiles the translations; only this stage needs it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH

# Dependencies first, so that a code change does not reinstall them.
COPY requirements.txt /tmp/requirements.txt
RUN pip install --require-hashes -r /tmp/requirements.txt

WORKDIR /app
COPY . .

# Settings refuse to load without a SECRET_KEY when DEBUG is off; these two commands read no
# secret and touch no database, so a throwaway key is enough here and is not kept in the image.
RUN if [ -d locale ]; then \
        SECRET_KEY=build-only DEBUG=false python manage.py compilemessages; \
    fi \
    && SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --noinput

# --- runtime --------------------------------------------------------------------------------
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/venv/bin:$PATH \
    DEBUG=false

RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /app app \
    # What the running processes write (the phone system's configuration, the calls'
    # recordings, e-mail attachments): volumes in docker-compose.yml, created here so that
    # they belong to `app`.
    && mkdir -p /var/lib/callcenter/phone /var/lib/callcenter/recordings /var/lib/callcenter/mail \
    && chown -R app:app /var/lib/callcenter

COPY --from=build /venv /venv
# Owned by root and only readable by `app`: the running process cannot change its own code.
COPY --from=build /app /app
WORKDIR /app

USER app
EXPOSE 8000

# Migrations run before the server starts; with more than one web container, run them once
# from a separate `docker compose run --rm web python manage.py migrate` instead.
# --no-control-socket: gunicorn would otherwise try to create one under $HOME, which `app`
# may not write to.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn callcenter.wsgi --workers 2 --bind 0.0.0.0:8000 --access-logfile - --no-control-socket"]

# --- the phone system -------------------------------------------------------------------------
# The same application with Debian's Kamailio and rtpengine (python:3.11-slim is Debian 12, whose
# packages these are), for `manage.py phone_system` and `manage.py media_service` (pjsua2 comes
# with requirements.txt). Built with `--target phone`; docker-compose.yml does.
FROM runtime AS phone

USER root
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        kamailio kamailio-websocket-modules kamailio-utils-modules kamailio-json-modules \
        kamailio-extra-modules kamailio-autheph-modules \
        rtpengine-daemon rtpengine-recording-daemon rtpengine-utils \
        libcap2-bin \
    # Kamailio runs as `app` and listens on SIP's port 5060, below 1024.
    && setcap cap_net_bind_service=+ep /usr/sbin/kamailio \
    && rm -rf /var/lib/apt/lists/*
USER app

CMD ["python", "manage.py", "phone_system"]

# --- the web application: the last stage, what `docker build .` makes ------------------------
FROM runtime AS web
