# One image for every service; the service is its argument: `docker run switchyard router`
# (analytics, metering, provider-worker, guardrail, router, ingress; embedded runs the one-process gateway).
# Not built on the machine this was written on (it has no container engine): see docs/scaling.md.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
# The bundles find proto/ and infra/switchyard.yaml from the workspace layout, kept as it is.
COPY --from=build /app/dist ./dist
COPY proto ./proto
COPY infra/switchyard.yaml ./infra/switchyard.yaml
# The dashboard's page; its bundle finds it at its source path (tools/build-services.mjs).
COPY libs/ingress/src/dashboard ./libs/ingress/src/dashboard
USER node
# Front doors (ingress): gRPC and HTTP. Set GATEWAY_GRPC_ADDR=0.0.0.0:50051 and GATEWAY_HTTP_ADDR=0.0.0.0:8080.
EXPOSE 50051 8080
# exec: node is PID 1 and gets SIGTERM itself, so the service drains (SHUTDOWN_GRACE_MS) and leaves its groups.
ENTRYPOINT ["sh", "-c", "case \"$0\" in analytics|metering|provider-worker|guardrail|router|ingress|embedded) ;; *) echo \"no service '$0' (analytics, metering, provider-worker, guardrail, router, ingress, embedded)\" >&2; exit 2;; esac; exec node --enable-source-maps --max-semi-space-size=4 dist/\"$0\"/main.js"]
CMD ["embedded"]
