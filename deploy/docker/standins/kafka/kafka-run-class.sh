#!/bin/sh
# Runs a main class of the Kafka jars in /opt/kafka/libs, as the distribution's script of this name
# does. KAFKA_HEAP_OPTS and KAFKA_OPTS as there; KAFKA_TOOLS_LOG4J_LOGLEVEL (default WARN) as in the
# official image.
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--Xmx256M} ${KAFKA_JVM_PERFORMANCE_OPTS:-} ${KAFKA_OPTS:-} \
  -Dorg.slf4j.simpleLogger.defaultLogLevel="${KAFKA_TOOLS_LOG4J_LOGLEVEL:-WARN}" \
  -Dorg.slf4j.simpleLogger.logFile=System.err \
  -cp "/opt/kafka/libs/*" "$@"
