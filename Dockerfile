# Production image: the API server by default; run the worker from the same image with
#   docker run ... motcua node dist/src/worker.js
# Both need DATABASE_URL, REDIS_URL and APP_SECRET; DATA_DIR (uploads, issued PDFs) should be a shared volume.
# Health: the server answers /healthz and /readyz on PORT (3000), the worker on WORKER_HEALTH_PORT (3001); the image's
# HEALTHCHECK finds whichever of the two the container runs (or probes HEALTH_URL when set). An orchestrator probing
# readiness itself should use http://…:3000/readyz for the server and http://…:3001/readyz for the worker.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

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
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000 3001
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD ["node", "dist/src/cli/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/server.js"]
