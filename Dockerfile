# syntax=docker/dockerfile:1
# One image for every Mailroom process. The command picks the process:
#   node -r ./scripts/runtime-paths.js dist/apps/<svc>/src/main.js      svc: ingest ticket rules scheduler notifier
#   node -r ./scripts/runtime-paths.js dist/scripts/migrate.js          database migrations (one-shot)
#   node -r ./scripts/runtime-paths.js dist/tools/mail-catcher/src/main.js   dev SMTP catcher + web page
# Build: docker build -t mailroom:0.1.0 .

# The Node.js Active LTS (26 'Lithium'); the services also run on Node 20.19+ (package.json engines).
ARG NODE_IMAGE=node:26.13-trixie-slim

# --- build: full install, compile TypeScript to dist/, then drop dev dependencies ---------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build \
 && npm prune --omit=dev \
 && npm cache clean --force

# --- runtime: production node_modules, compiled output, the path hook; runs as a non-root user ---
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Files stay owned by root and read-only for the app user: the processes write nothing to disk.
COPY --from=build /app/package.json /app/package-lock.json /app/tsconfig.base.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# runtime-paths.js maps the @mailroom/* aliases onto dist/ (it reads tsconfig.base.json).
COPY --from=build /app/scripts ./scripts
# The `node` user of the official image, numeric so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# ticket API 3000 · ingest SMTP 2525 · health 3001-3004 · mail catcher SMTP 1025 / web 1080
EXPOSE 3000 2525 3001 3002 3003 3004 1025 1080
CMD ["node", "-r", "./scripts/runtime-paths.js", "dist/apps/ticket/src/main.js"]
