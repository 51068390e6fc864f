# paperclerk: one image for `serve`, `worker` and the OCR worker; only the command differs:
#   docker run IMAGE serve | worker --queues default | worker --queues ocr --concurrency 1 | backup create …
# Build: `docker build -t paperclerk .` (or `make image`, which builds it with podman from a Debian base made by
# debootstrap). PYTHON_IMAGE may name any Debian bookworm image with python3 and venv.
ARG PYTHON_IMAGE=docker.io/library/python:3.11-slim-bookworm

# --- build: a virtualenv with paperclerk and its dependencies (all wheels: no compiler needed) ---------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python3 -m venv /opt/paperclerk
# Dependencies first, from pyproject.toml alone (an empty package stands in), so that a change to the code or the
# README does not reinstall them.
COPY pyproject.toml ./
RUN mkdir -p src/paperclerk && touch src/paperclerk/__init__.py README.md \
    && /opt/paperclerk/bin/pip install --quiet '.[observability,flower]' \
    && /opt/paperclerk/bin/pip uninstall --quiet --yes paperclerk \
    && rm -rf build src README.md
COPY README.md ./
COPY src ./src
RUN /opt/paperclerk/bin/pip install --quiet --no-deps . \
    && /opt/paperclerk/bin/python -m compileall -q /opt/paperclerk/lib

# --- run: the virtualenv, tesseract with its OCR languages, tini as PID 1, an unprivileged user --------------
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="paperclerk" \
      org.opencontainers.image.description="Self-hostable document analysis: API, web, workers"
# Debian's security updates come with the packages of the day: pinning versions here would freeze them out.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini tesseract-ocr tesseract-ocr-osd tesseract-ocr-eng \
       tesseract-ocr-fra tesseract-ocr-deu tesseract-ocr-nld tesseract-ocr-spa postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --user-group --home-dir /var/lib/paperclerk --create-home paperclerk
COPY --from=build /opt/paperclerk /opt/paperclerk
ENV PATH=/opt/paperclerk/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PAPERCLERK_DATA_DIR=/var/lib/paperclerk \
    PAPERCLERK_HOST=0.0.0.0 \
    PAPERCLERK_PORT=8000
USER 10001:10001
WORKDIR /var/lib/paperclerk
VOLUME ["/var/lib/paperclerk"]
EXPOSE 8000
# The API's liveness; worker containers replace it with a Celery ping (see deploy/compose.yaml).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PAPERCLERK_PORT', '8000')}/health/live\", timeout=4)"]
ENTRYPOINT ["/usr/bin/tini", "--", "paperclerk"]
CMD ["serve"]
