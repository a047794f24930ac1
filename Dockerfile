# Web-shell detector image. Build it with `deploy/docker/build-image` (which falls back to
# stand-in bases where Docker Hub cannot be reached), or directly:
#   docker build --network host -t web-shell-detector:local .
# The entrypoint is the project's launcher, so every command works: `docker run IMAGE run|scan|...`.
# No `# syntax=` line and no BuildKit-only instruction: the classic builder (Debian's Docker 20.10,
# docker-compose v1) and BuildKit build it alike.

# The bases; deploy/docker/build-image passes stand-ins built from Debian packages instead when
# these cannot be pulled.
ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-17
ARG JRE_IMAGE=eclipse-temurin:17-jre

# The input of the dependency layer below: the parent pom with its module list cut to the modules
# the image builds, those modules' poms, and the Avro schemas the schemas module compiles. A change
# anywhere else (sources, other modules' poms) leaves that layer as it is.
FROM ${MAVEN_IMAGE} AS poms
COPY . /src
WORKDIR /src
RUN mkdir -p /poms/schemas/src/main /poms/detector-testkit /poms/detector-app \
 && sed '/<module>/{/<module>\(schemas\|detector-testkit\|detector-app\)<\/module>/!d;}' pom.xml >/poms/pom.xml \
 && cp schemas/pom.xml /poms/schemas/ \
 && cp -r schemas/src/main/avro /poms/schemas/src/main/ \
 && cp detector-testkit/pom.xml /poms/detector-testkit/ \
 && cp detector-app/pom.xml /poms/detector-app/

FROM ${MAVEN_IMAGE} AS build
# PEM certificates for the JDK to trust besides its own, on networks whose proxy re-signs TLS
# (deploy/docker/build-image passes the host's locally added ones). This stage only.
ARG EXTRA_CA_CERTS=
COPY deploy/docker/trust-ca-certs /usr/local/bin/trust-ca-certs
RUN trust-ca-certs
WORKDIR /src
# Dependencies and plugins, fetched by a build of the module skeletons: this layer is reused until
# a pom.xml changes, so a source change rebuilds without downloading anything.
# -Dmdep.skip: the test kit's unpacked Apicurio distribution (136 MB) is for tests, never the image;
# detector-app's runtime jars are copied below instead.
COPY --from=poms /poms/ ./
RUN mvn -B -ntp -pl detector-app -am -Dmaven.test.skip=true -Dmdep.skip=true install \
 && mvn -B -ntp -pl detector-app dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory=target/lib \
 && rm -rf ./*/target
# The whole (filtered, see .dockerignore) source tree. Tests run in CI, not in the image build.
# `install` goes to this stage's own ~/.m2 only; copy-dependencies then puts the runtime jars in
# detector-app/target/lib, where bin/detector looks for them.
COPY . .
RUN mvn -B -ntp -pl detector-app -am -Dmaven.test.skip=true -Dmdep.skip=true install \
 && mvn -B -ntp -pl detector-app dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory=target/lib

FROM ${JRE_IMAGE}
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
# Same layout as a checkout, so bin/detector finds detector-app/target/{classes,lib} relative to
# itself. bin/detector keeps its executable bit from the source tree.
COPY --from=build /src/bin/detector bin/detector
COPY --from=build /src/detector-app/target/lib detector-app/target/lib
COPY --from=build /src/detector-app/target/classes detector-app/target/classes
# `docker run IMAGE scan samples/softcell.jsonl` works as it does in a checkout.
COPY --from=build /src/samples samples

# DETECTOR_PREBUILT=1: the launcher never invokes Maven. The JVM sizes its heap from the container's
# memory limit; override DETECTOR_JAVA_OPTS to change it (Kubernetes sets 50 % for a 512 MiB heap).
# Parallel GC: less CPU per event than G1 for this small, short-lived heap; transparent huge pages
# for the heap where the kernel offers them (madvise), which cost the stream threads less CPU per
# event (docs/performance.md). The launcher itself sends the JVM's own warnings to stderr, whatever
# is set here, since stdout carries scan's alerts.
ENV DETECTOR_PREBUILT=1 \
    DETECTOR_JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError -XX:+UseTransparentHugePages" \
    DETECTOR_STATE_DIR=/var/lib/detector

USER 10001:10001
VOLUME /var/lib/detector
EXPOSE 9464
# bin/detector execs java, so the JVM is PID 1 and gets `docker stop`'s SIGTERM itself: Kafka
# Streams commits, closes its state stores and the detector exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/detector/bin/detector"]
CMD ["--help"]
