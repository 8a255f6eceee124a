# Production image: the API server by default; the worker, the migrations and every command-line tool run from the
# same image (the image holds the built code only, no src/ and no tsx: run `node dist/src/...`):
#   docker run … motcua                                              the API server (dist/src/server.js), :3000
#   docker run … motcua node dist/src/worker.js                      the job worker; health and metrics on :3001
#   docker run … motcua node dist/src/cli/migrate.js                 apply migrations/ and exit
#   docker run -it … motcua node dist/src/cli/admin-create.js --username U --full-name "Họ và tên"   first administrator
#   docker run … motcua node dist/src/cli/check-workflows.js         check workflows/ (exit 1 naming file:path)
#   docker run -v "$PWD/so-goc.csv:/tmp/so-goc.csv:ro" … motcua node dist/src/cli/import-register.js /tmp/so-goc.csv
#   docker run … motcua node dist/src/cli/sign-external.js --url … --dossier … --p12 …   (an external signer's client)
# With compose.yaml: `docker compose run --rm server node dist/src/cli/<tool>.js …`.
# Server and worker need DATABASE_URL, REDIS_URL, APP_SECRET (and KEY_ENCRYPTION_SECRET); files live in PostgreSQL,
# so nothing needs a shared disk. /data is used only by the embedded mode (no DATABASE_URL): PGlite, demo CA, secrets.
# Health: the server answers /healthz and /readyz on PORT (3000), the worker on WORKER_HEALTH_PORT (3001); the image's
# HEALTHCHECK finds whichever of the two the container runs (or probes HEALTH_URL when set). An orchestrator probing
# readiness itself should use http://…:3000/readyz for the server and http://…:3001/readyz for the worker.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/copy-build-assets.mjs ./scripts/
COPY src ./src
# tsc, then every non-TypeScript file under src/ (seed YAML, calendar JSON) copied next to the built code.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# Liberation Serif: metric-compatible with Times New Roman, which Decree 30/2020 prescribes for documents.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-liberation2 tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 WORKER_HEALTH_PORT=3001 DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
COPY templates ./templates
COPY workflows ./workflows
COPY public ./public
# Not a VOLUME: production keeps nothing here; mount one at /data only to keep an embedded (PGlite) instance.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000 3001
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD ["node", "dist/src/cli/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/server.js"]
