# ogp-graph: the GraphQL API, served by uvicorn on port 8000.
#
# Point it at a Neo4j 5 server with NEO4J_URI (plus NEO4J_USER, NEO4J_PASSWORD,
# NEO4J_DATABASE); it loads the bundled dataset into that server at start-up.
# See docker-compose.yml for the whole production path.

FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# The source stays root-owned: the running user cannot change the code it runs.
WORKDIR /src
COPY . .
# Node.js and npm only to build GraphiQL's and the graph view's files (setup.py runs
# `npm ci` in web/); they leave the image afterwards.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm \
    && pip install --no-cache-dir . \
    && apt-get purge -y --auto-remove nodejs npm && rm -rf /var/lib/apt/lists/* \
    && rm -rf build ./*.egg-info web/node_modules

# Unprivileged user, with a numeric id so that runAsNonRoot-style checks can verify it.
# Its home is the working directory: anything the app writes (e.g. the embedded
# store's data when NEO4J_URI is unset, under ~/.local/share/ogp-graph) goes there.
RUN groupadd --system --gid 10001 ogp \
    && useradd --system --uid 10001 --gid ogp --create-home --home-dir /home/ogp \
        --shell /usr/sbin/nologin ogp
USER 10001:10001
WORKDIR /home/ogp

EXPOSE 8000

# JSON log lines for log collectors; X-Forwarded-* trusted from the proxy in front
CMD ["ogp-graph", "--log-format", "json", "serve", "--host", "0.0.0.0", "--port", "8000", \
     "--forwarded-allow-ips", "*"]
