# The bot only; Oracle stays where it is. Build: docker build -t sopbot .
# Run:  docker run -d --name sopbot --restart unless-stopped --stop-timeout 180 \
#         -v /srv/sopbot:/data -v /media/backup:/media/backup sopbot
# (--stop-timeout, Compose stop_grace_period: 180s: time to stop a running export on the server)
# with /srv/sopbot/.env holding the settings (DATA_DIR=/data is set here).
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 sopbot
WORKDIR /app
COPY pyproject.toml README.md ./
COPY sopbot ./sopbot
COPY bot ./bot
COPY jobs ./jobs
COPY storage ./storage
COPY core ./core
COPY devtools ./devtools
RUN pip install --no-cache-dir ".[postgres]"

USER sopbot
ENV DATA_DIR=/data PYTHONUNBUFFERED=1
VOLUME ["/data"]
ENTRYPOINT ["sopbot"]
CMD ["run", "--env-file", "/data/.env"]
