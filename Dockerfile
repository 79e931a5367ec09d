# Two images from one file. The bot (the default target; Oracle stays where it is):
#   docker build -t sopbot .
#   docker run -d --name sopbot --restart unless-stopped --stop-timeout 180 \
#     -v /srv/sopbot:/data -v /media/backup:/media/backup sopbot
# (--stop-timeout, Compose stop_grace_period: 180s: time to stop a running export on the server)
# with /srv/sopbot/.env holding the settings (DATA_DIR=/data is set here).
# The province's web view of the central database (`sopbot pusat web`, behind a TLS proxy):
#   docker build --target web -t sopbot-web .
#   docker run -d --name sopbot-web --restart unless-stopped -p 127.0.0.1:8080:8080 \
#     --env-file /etc/sopbot/web.env sopbot-web
FROM python:3.11-slim AS base

RUN useradd --create-home --uid 10001 sopbot
WORKDIR /app
COPY pyproject.toml README.md ./
COPY sopbot ./sopbot
COPY bot ./bot
COPY central ./central
COPY jobs ./jobs
COPY storage ./storage
COPY core ./core
COPY texts ./texts
COPY web ./web

FROM base AS web
RUN pip install --no-cache-dir ".[web]"
USER sopbot
ENV PYTHONUNBUFFERED=1 MPLCONFIGDIR=/tmp
EXPOSE 8080
ENTRYPOINT ["sopbot", "pusat", "web"]
CMD ["--host", "0.0.0.0", "--port", "8080", "--di-balik-proxy"]

FROM base AS bot
RUN pip install --no-cache-dir ".[postgres]"
USER sopbot
ENV DATA_DIR=/data PYTHONUNBUFFERED=1
VOLUME ["/data"]
ENTRYPOINT ["sopbot"]
CMD ["run", "--env-file", "/data/.env"]
