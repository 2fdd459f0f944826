# The assessment runtime image: `docker build -f docker/runtime.Dockerfile .` from the repo root
# (docker-compose.yml does this). Stage 1 builds with Maven and lays out /opt/ar as `make build`
# lays out bin/; stage 2 is a JRE with setpriv, a non-root user and the runtime.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Only the module sources: no local target/, bin/ or build/ leaks into the image.
COPY pom.xml ./
COPY proto/pom.xml proto/pom.xml
COPY proto/src proto/src
COPY plugin-sdk/pom.xml plugin-sdk/pom.xml
COPY plugin-sdk/src plugin-sdk/src
COPY sample-plugin/pom.xml sample-plugin/pom.xml
COPY sample-plugin/src sample-plugin/src
COPY runtime/pom.xml runtime/pom.xml
COPY runtime/src runtime/src
COPY bench/pom.xml bench/pom.xml
COPY bench/src bench/src
RUN mvn -B -DskipTests install \
 && mkdir -p /opt/ar/lib /opt/ar/plugins/sample/1.0.0 /opt/ar/assessments /opt/ar/spool \
 && cp runtime/target/ar.jar /opt/ar/lib/ar.jar \
 && cp sample-plugin/target/sample.jar /opt/ar/plugins/sample/1.0.0/sample.jar \
 && cp runtime/src/dist/ar /opt/ar/ar \
 && chmod 0755 /opt/ar/ar \
 && cp runtime/src/dist/assessments/*.yaml /opt/ar/assessments/

FROM eclipse-temurin:17-jre
# setpriv (util-linux) starts every plugin with --pdeathsig KILL.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends util-linux \
 && rm -rf /var/lib/apt/lists/* \
 && command -v setpriv \
 && groupadd --system --gid 10001 ar \
 && useradd --system --uid 10001 --gid ar --home-dir /opt/ar --no-create-home --shell /usr/sbin/nologin ar
COPY --from=build /opt/ar /opt/ar
COPY docker/config.yml /opt/ar/config.yml
# The class-data archive is tied to the jar's path and to this JVM, so it is trained here, in the
# final image. It only speeds up plugin start-up: if this JRE cannot write one, warn and go on.
RUN java -cp /opt/ar/lib/ar.jar io.ccf.ar.runtime.tools.ClassDataArchiveTrainer /opt/ar/plugins sample 1.0.0 \
 || echo "WARNING: no class-data archive for the sample plugin; it starts without one" >&2; \
    chown -R ar:ar /opt/ar/assessments /opt/ar/spool
USER ar
WORKDIR /opt/ar
ENV AR_CONFIG=/opt/ar/config.yml
# Results wait here while NATS is away; keep it across container restarts.
VOLUME ["/opt/ar/spool"]
# Healthy = the daemon's JVM (java ... lib/ar.jar) runs and, when an event bus is set, the container
# holds an established TCP connection to its port. Reads /proc only: no JVM is started.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD \
  ["/bin/sh", "-c", "grep -qs 'lib/ar[.]jar' /proc/[0-9]*/cmdline || exit 1; [ -z \"$AR_EVENT_BUS_URL\" ] && exit 0; p=${AR_EVENT_BUS_URL##*:}; p=${p%%/*}; h=$(printf ':%04X' \"$p\") || exit 1; cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v h=\"$h\" 'substr($3, length($3) - 4) == h && $4 == \"01\" { ok = 1 } END { exit !ok }'"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/ar/ar"]
