# SeaSync as one container: the server (`seasync serve`) with its dashboard and embedded demo.
#
#   docker build -t seasync .
#   docker run -p 8680:8680 -v seasync-data:/data -e SEASYNC_API_TOKEN=<16+ chars> seasync
#   # then open http://localhost:8680 and enter the token when the dashboard asks for it
#
# Configuration is by environment (SEASYNC_*; see README "The server"). The container listens on
# 0.0.0.0, so the server refuses to start without SEASYNC_API_TOKEN, by design.

ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
# better-sqlite3 compiles its native addon here (no prebuilt download in restricted networks).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN npm install -g "pnpm@$(node -p 'require("./package.json").packageManager.split("@")[1]')"
COPY . .
# `pnpm build`: every package's tsc build and the dashboard's Vite build (apps/web/dist). The
# dashboard is static files, so the production install below may drop Vite and React's sources.
RUN pnpm install --frozen-lockfile && pnpm build \
    && test -f apps/web/dist/index.html \
    && pnpm install --frozen-lockfile --prod --offline

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SEASYNC_HOST=0.0.0.0 \
    SEASYNC_PORT=8680 \
    SEASYNC_DATA_DIR=/data \
    SEASYNC_WEB_DIR=/app/apps/web/dist
WORKDIR /app
# Only what runs: built dist/ of every package (the dashboard's in apps/web/dist, served at /),
# production node_modules, the proto file.
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8680
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.SEASYNC_PORT||8680)+'/api/v1/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node directly (not pnpm), so SIGTERM reaches the server and it saves checkpoints on stop.
ENTRYPOINT ["node", "apps/server/dist/cli.js"]
CMD ["serve"]
