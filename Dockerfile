# syntax=docker/dockerfile:1
# Web-shell detector image: `docker build -t web-shell-detector .`
# The entrypoint is the project's launcher, so every command works: `docker run IMAGE run|scan|generate|...`.
# BuildKit (the default builder since Docker Engine 23) is needed for the Maven cache mount below.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# The whole (filtered, see .dockerignore) source tree: parent POM, every module, the launcher.
COPY . .
# Tests run in CI, not in the image build; `package` also copies the runtime jars to detector-app/target/lib.
RUN --mount=type=cache,target=/root/.m2 mvn -B -DskipTests package

FROM eclipse-temurin:17-jre
# curl serves the compose healthcheck (GET /health/ready); nothing else is added to the base image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 detector \
 && useradd --system --uid 10001 --gid detector --home-dir /opt/detector --no-create-home \
      --shell /usr/sbin/nologin detector \
 && mkdir -p /var/lib/detector \
 && chown detector:detector /var/lib/detector

WORKDIR /opt/detector
# Same layout as a checkout, so bin/detector finds detector-app/target/{classes,lib} relative to itself.
COPY --from=build --chmod=0755 /src/bin/detector bin/detector
COPY --from=build /src/detector-app/target/lib detector-app/target/lib
COPY --from=build /src/detector-app/target/classes detector-app/target/classes

# DETECTOR_PREBUILT=1: the launcher never invokes Maven. The JVM sizes its heap from the container's
# memory limit; override DETECTOR_JAVA_OPTS to change it (Kubernetes sets 50 % for a 512 MiB heap).
# Parallel GC: less CPU per event than G1 for this small, short-lived heap (docs/performance.md).
ENV DETECTOR_PREBUILT=1 \
    DETECTOR_JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError" \
    DETECTOR_STATE_DIR=/var/lib/detector

USER 10001:10001
VOLUME /var/lib/detector
EXPOSE 9464
ENTRYPOINT ["/opt/detector/bin/detector"]
CMD ["--help"]
