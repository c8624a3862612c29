# PeerVisits for production: gunicorn serving Django, static files by WhiteNoise.
# The same image runs the Celery worker and beat (see docker-compose.yml).

FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VAR_DIR=/var/lib/peervisits \
    STATIC_ROOT=/app/staticfiles

# WeasyPrint's system libraries, fonts with full Latin accents, gettext for the catalogues.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-dejavu-core fonts-liberation2 gettext libmagic1 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --home-dir /app peervisits
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install .

COPY --chown=peervisits:peervisits . .
COPY --from=assets /build/node_modules/bootstrap/dist/css/bootstrap.min.css static/vendor/bootstrap/css/
COPY --from=assets /build/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/bootstrap/js/
RUN python manage.py compilemessages --ignore=.venv -v 0 \
    && python manage.py collectstatic --noinput -v 0 \
    && mkdir -p "$VAR_DIR/media" && chown -R peervisits:peervisits "$VAR_DIR" /app

USER peervisits
EXPOSE 8000
CMD ["gunicorn", "peervisits.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
