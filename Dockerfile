# The operator's image: `docker build -t <registry>/ack-systems-operator:<version> .`
# then `npm run synth -- --operator-image <that reference>` to deploy it.
#
# Stage 1 bundles the operator and its dependencies into one file; stage 2 is
# Node alone plus that file, run as a non-root user with nothing writable.

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the npm "node" package would download a second Node; the image has one.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY lib/ lib/
COPY imports/ imports/
COPY operator/ operator/
COPY scripts/build-operator.ts scripts/source-map.ts scripts/
RUN node --import tsx scripts/build-operator.ts

FROM node:24-bookworm-slim
WORKDIR /operator
COPY --from=build /src/build/operator.mjs /src/build/operator.mjs.map /src/build/operator.mjs.LEGAL.txt ./
# The same numeric user the chart's securityContext runs as.
USER 10001:10001
ENV NODE_ENV=production
EXPOSE 8080
# Source maps on the command line, not in NODE_OPTIONS: the chart sets NODE_OPTIONS
# (the heap limit), which would replace the image's. Stack traces then name .ts lines.
ENTRYPOINT ["node", "--enable-source-maps", "/operator/operator.mjs"]
