# facilitator in a container: docs/operations.md, "Containers". Build: docker build -t facilitator .
# The same commands as on a host (docs/deployment.md), which tests/test_container.py runs.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A system user with no password and no shell; the data directory is its home's.
RUN useradd --system --uid 10001 --create-home --home-dir /srv/facilitator --shell /usr/sbin/nologin facilitator

# The package from this clone, as `pip install .` on a host; the sources go afterwards.
COPY pyproject.toml README.md LICENSE /tmp/src/
COPY facilitator /tmp/src/facilitator
COPY templates /tmp/src/templates
COPY static /tmp/src/static
RUN pip install /tmp/src && rm -rf /tmp/src

USER facilitator
WORKDIR /srv/facilitator
ENV FACILITATOR_DATA_DIR=/srv/facilitator/data \
    FACILITATOR_LOG_FORMAT=json
VOLUME ["/srv/facilitator/data"]
EXPOSE 8000

HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]

# Applies the migrations, then serves. compose.yaml runs two processes (--workers 2).
CMD ["facilitator", "serve", "--host", "0.0.0.0", "--port", "8000"]
