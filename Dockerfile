# Story monitor: follows one news story and alerts Slack (or the console) about new developments.
#
#   docker build -t story-monitor .
#   docker run --rm -e SLACK_BOT_TOKEN=xoxb-... -v monitor-data:/data -p 127.0.0.1:8080:8080 story-monitor
#
# Configuration: the image ships config/monitor.yaml at /app/config/monitor.yaml and uses it by
# default ($MONITOR_CONFIG). To use your own, mount it at that path
# (-v ./config:/app/config:ro, as docker-compose.yml does) or mount it elsewhere and set
# MONITOR_CONFIG (or pass --config PATH). Relative seed paths resolve against the config file's
# folder, so the shipped `../seeds` finds /app/seeds.
# State: the SQLite database lives on the /data volume. The shipped config says
# sqlite:///data/monitor.db, which is relative to WORKDIR /app; /app/data is a symlink to /data.
# Note: service.listen must be 0.0.0.0:8080 (not 127.0.0.1) for a published port to reach it.
FROM python:3.12-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Install the package from the source tree; every dependency (lxml, rapidfuzz, ...) comes as a
# wheel, so no compiler is installed and nothing but the installed package is left behind.
# README.md is optional here (the glob matches nothing when it is absent); pyproject names it as
# the package's readme, so an empty one stands in during the build only.
COPY pyproject.toml README.md* /tmp/src/
COPY monitor/ /tmp/src/monitor/
RUN cd /tmp/src \
    && { [ -f README.md ] || : > README.md; } \
    && pip install --no-cache-dir . \
    && cd / && rm -rf /tmp/src /root/.cache \
    && monitor --version

RUN groupadd --gid 10001 monitor \
    && useradd --uid 10001 --gid monitor --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin monitor \
    && mkdir -p /app /data \
    && chown monitor:monitor /data \
    && ln -s /data /app/data

COPY seeds/ /app/seeds/
COPY config/monitor.yaml /app/config/monitor.yaml

WORKDIR /app
ENV MONITOR_CONFIG=/app/config/monitor.yaml \
    MONITOR_LISTEN=0.0.0.0:8080
VOLUME ["/data"]
USER monitor
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]

ENTRYPOINT ["monitor"]
CMD ["run"]
