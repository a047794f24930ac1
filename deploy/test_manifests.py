#!/usr/bin/env python3
"""Checks the deployment files against the detector's contract, without a cluster or Docker.

Loads every manifest under deploy/ (plus docker-compose.yml, Dockerfile, .dockerignore) and checks
the fields the detector relies on: probes on its health endpoints, resources, the state volume,
non-root security context, Strimzi topic settings, that the PodMonitor selects the metrics port,
that every alert rule and dashboard panel queries a metric the detector (or Micrometer's Kafka
binders) really exports. Prints one line per check and a final line "N passed, M failed"; exits
non-zero when any check fails.

    python3 deploy/test_manifests.py
"""

import json
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "kubernetes"

STATE_DIR = "/var/lib/detector"
METRICS_PORT = 9464
INPUT_TOPIC = "device-process-events"
ALERTS_TOPIC = "alerts"
DLQ_TOPIC = "alerts.dead-letters"
EIGHT_DAYS_MS = 8 * 24 * 3600 * 1000
MAX_HEAP_BYTES = 512 * 1024 * 1024
# The largest alert or dead letter the detector may write, read from its one definition
MAX_RECORD_BYTES = int(re.search(
    r"MAX_RECORD_BYTES = (\d+) << 20;",
    (ROOT / "detector-app/src/main/java/dev/webshell/detector/topology/StreamsSettings.java")
    .read_text(encoding="utf-8")).group(1)) << 20

# `bin/detector run` options (each also DETECTOR_<UPPER_SNAKE>), and launcher variables.
RUN_OPTIONS = [
    "bootstrap-servers", "input-topics", "input-pattern", "output-topic", "dlq-topic",
    "application-id", "state-dir", "input-format", "alert-format", "schema-registry-url",
    "schema-registry-user", "schema-registry-password-file", "profile", "rules", "metrics-port",
    "kafka-config", "create-topics", "partitions", "replication-factor", "processing-guarantee",
    "num-standby-replicas", "log-format", "clock-skew-tolerance",
]
DETECTOR_ENV = {"DETECTOR_" + o.upper().replace("-", "_") for o in RUN_OPTIONS} | {
    "DETECTOR_JAVA_OPTS", "DETECTOR_PREBUILT",
}

# Metrics the detector exports (contract), and the Kafka ones Micrometer's KafkaStreamsMetrics /
# KafkaClientMetrics derive from Kafka metric groups: kafka.<group without "-metrics">.<name>,
# dashes to dots, then Prometheus naming (dots to underscores). Histograms add _bucket/_count/_sum.
DETECTOR_METRICS = {
    "detector_events_total", "detector_matches_total", "detector_alerts_total",
    "detector_dead_letters_total", "detector_late_events_dropped_total",
    "detector_events_ahead_of_clock_total", "detector_retryable_failures_total", "detector_stalled",
    "detector_process_tree_orphans_total", "detector_process_tree_matches_total",
} | {"detector_event_to_alert_latency_seconds" + s for s in ("_bucket", "_count", "_sum", "_max")}
KAFKA_METRICS = {
    "kafka_consumer_fetch_manager_records_lag_max",  # consumer-fetch-manager-metrics/records-lag-max
    "kafka_consumer_fetch_manager_records_lag",
    "kafka_stream_client_state",  # stream-metrics/client-state (KafkaStreams.State ordinal)
    "kafka_stream_alive_stream_threads",  # stream-metrics/alive-stream-threads
    "kafka_stream_failed_stream_threads",  # stream-metrics/failed-stream-threads
    "kafka_stream_thread_process_rate",  # stream-thread-metrics/process-rate
    "kafka_stream_processor_node_process_rate",  # stream-processor-node-metrics (DEBUG level)
}
KNOWN_METRICS = DETECTOR_METRICS | KAFKA_METRICS
METRIC_TOKEN = re.compile(r"\b(?:detector|kafka)_[a-z0-9_]+\b")

# ---------------------------------------------------------------------------------------------
results = []


def check(name):
    def register(fn):
        results.append((name, fn))
        return fn

    return register


def load_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def manifest_files():
    return sorted(p for p in DEPLOY.rglob("*") if p.suffix in (".yaml", ".yml"))


def all_objects():
    objs = []
    for p in manifest_files():
        for d in load_docs(p):
            objs.append((p, d))
    return objs


def of_kind(kind):
    return [d for _, d in all_objects() if d.get("kind") == kind]


def one(kind, name=None):
    found = [d for d in of_kind(kind) if name is None or d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected exactly one {kind} {name or ''}, found {len(found)}"
    return found[0]


def parse_quantity(q):
    """Kubernetes quantity to a number (bytes or cores)."""
    q = str(q)
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9, "m": 1e-3}
    for suffix, factor in units.items():
        if q.endswith(suffix):
            return float(q[: -len(suffix)]) * factor
    return float(q)


def matches(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def statefulset():
    return one("StatefulSet")


def detector_container():
    containers = statefulset()["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, "one container expected"
    return containers[0]


def metrics_in(expr):
    return set(METRIC_TOKEN.findall(expr))


# --------------------------------------------------------------------------- files and structure
for _path in manifest_files():

    @check(f"parses: {_path.relative_to(ROOT)}")
    def _parses(path=_path):
        docs = load_docs(path)
        assert docs, "no YAML document"
        for d in docs:
            assert isinstance(d, dict), "document is not a mapping"
            assert d.get("apiVersion") and d.get("kind"), "apiVersion and kind required"
            if d["kind"] != "Kustomization":
                assert d.get("metadata", {}).get("name"), "metadata.name required"
                assert re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", d["metadata"]["name"]), (
                    f"metadata.name {d['metadata']['name']!r} is not a DNS-1123 name")


@check("no secret values committed (no Secret objects, no password-like values in ConfigMaps)")
def _no_secrets():
    assert not of_kind("Secret"), "Secret manifests must not be committed; reference them instead"
    for cm in of_kind("ConfigMap"):
        for k, v in cm.get("data", {}).items():
            if re.search(r"PASSWORD|SECRET|TOKEN", k) and not k.endswith("_FILE"):
                raise AssertionError(f"ConfigMap key {k} looks like a secret value")
            assert "sasl.jaas.config" not in str(v), f"JAAS config in ConfigMap key {k}"


@check("kustomization lists every manifest of its directory, and only existing ones")
def _kustomization():
    for kfile in DEPLOY.rglob("kustomization.yaml"):
        k = load_docs(kfile)[0]
        base = kfile.parent
        listed = set()
        for r in k.get("resources", []):
            target = (base / r).resolve()
            assert target.exists(), f"{kfile.relative_to(ROOT)}: {r} does not exist"
            if target.is_dir():
                assert (target / "kustomization.yaml").exists(), f"{r} has no kustomization.yaml"
            listed.add(target)
        for p in base.glob("*.yaml"):
            if p.name != "kustomization.yaml":
                assert p.resolve() in listed, f"{p.relative_to(ROOT)} not in {kfile.relative_to(ROOT)}"
    main = load_docs(K8S / "kustomization.yaml")[0]
    assert "../prometheus" in main["resources"], "PrometheusRule not included"
    image = detector_container()["image"].split(":")[0]
    assert any(i["name"] == image for i in main.get("images", [])), "kustomize images entry missing"


# --------------------------------------------------------------------------- StatefulSet
@check("StatefulSet: stable identity (headless serviceName), selector matches pod labels")
def _sts_identity():
    sts = statefulset()
    spec = sts["spec"]
    labels = spec["template"]["metadata"]["labels"]
    assert matches(spec["selector"]["matchLabels"], labels), "selector does not match template labels"
    svc = one("Service", spec["serviceName"])
    assert svc["spec"].get("clusterIP") == "None", "serviceName must be a headless service"
    assert matches(svc["spec"]["selector"], labels), "headless service does not select the pods"
    assert 1 <= spec["replicas"] <= 6, "replicas must not exceed the input topic's 6 partitions"


@check("StatefulSet: liveness GET /health/live, readiness GET /health/ready on the metrics port")
def _sts_probes():
    c = detector_container()
    port_names = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert port_names.get("metrics") == METRICS_PORT, "container port 'metrics' must be 9464"
    for probe, path in (("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready")):
        get = c[probe]["httpGet"]
        assert get["path"] == path, f"{probe} path {get['path']}"
        port = port_names.get(get["port"], get["port"])
        assert port == METRICS_PORT, f"{probe} port {get['port']}"
    if "startupProbe" in c:
        assert c["startupProbe"]["httpGet"]["path"] == "/health/live", "startup probe must not wait for readiness"


@check("StatefulSet: resources cpu 1/2, memory 1Gi/1Gi, heap <= 512 MiB")
def _sts_resources():
    r = detector_container()["resources"]
    assert parse_quantity(r["requests"]["cpu"]) == 1 and parse_quantity(r["limits"]["cpu"]) == 2, r
    assert parse_quantity(r["requests"]["memory"]) == 2**30, r
    assert parse_quantity(r["limits"]["memory"]) == 2**30, r
    opts = one("ConfigMap")["data"]["DETECTOR_JAVA_OPTS"]
    xmx = re.search(r"-Xmx(\d+)([mMgG])", opts)
    pct = re.search(r"-XX:MaxRAMPercentage=([\d.]+)", opts)
    assert xmx or pct, "DETECTOR_JAVA_OPTS sets no heap bound"
    heap = (int(xmx.group(1)) * (2**20 if xmx.group(2) in "mM" else 2**30)) if xmx else \
        parse_quantity(r["limits"]["memory"]) * float(pct.group(1)) / 100
    assert heap <= MAX_HEAP_BYTES, f"heap {heap / 2**20:.0f} MiB > 512 MiB"
    assert "-XX:+ExitOnOutOfMemoryError" in opts


@check("StatefulSet: volumeClaimTemplate mounted at the state dir, grace period 45 s")
def _sts_state():
    spec = statefulset()["spec"]
    claims = {t["metadata"]["name"] for t in spec["volumeClaimTemplates"]}
    mounts = {m["mountPath"]: m["name"] for m in detector_container()["volumeMounts"]}
    assert mounts.get(STATE_DIR) in claims, f"{STATE_DIR} is not on a volumeClaimTemplate"
    assert one("ConfigMap")["data"]["DETECTOR_STATE_DIR"] == STATE_DIR
    assert spec["template"]["spec"]["terminationGracePeriodSeconds"] == 45


@check("StatefulSet: securityContext runAsNonRoot, no privilege escalation")
def _sts_security():
    pod = statefulset()["spec"]["template"]["spec"]
    c = detector_container()
    non_root = c.get("securityContext", {}).get("runAsNonRoot", pod.get("securityContext", {}).get("runAsNonRoot"))
    assert non_root is True, "runAsNonRoot must be true"
    uid = c.get("securityContext", {}).get("runAsUser", pod.get("securityContext", {}).get("runAsUser"))
    assert uid not in (0, None), "runAsUser must be a non-zero uid (the image's is 10001)"
    assert c["securityContext"].get("allowPrivilegeEscalation") is False
    if c["securityContext"].get("readOnlyRootFilesystem"):
        mounts = {m["mountPath"] for m in c["volumeMounts"]}
        assert "/tmp" in mounts, "read-only root needs a writable /tmp (RocksDB native library)"


@check("StatefulSet: configuration from the ConfigMap, secrets by reference only")
def _sts_config():
    c = detector_container()
    cm = one("ConfigMap")["metadata"]["name"]
    assert {"configMapRef": {"name": cm}} in c["envFrom"], "envFrom must reference the ConfigMap"
    assert c["args"][0] == "run", "container must run `run`"
    pod = statefulset()["spec"]["template"]["spec"]
    secret_vols = {v["name"]: v["secret"] for v in pod["volumes"] if "secret" in v}
    assert secret_vols, "no Secret references for SASL/TLS"
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    data = one("ConfigMap")["data"]
    kafka_config = data["DETECTOR_KAFKA_CONFIG"]
    assert any(kafka_config.startswith(mounts[v] + "/") for v in secret_vols), \
        "DETECTOR_KAFKA_CONFIG must point into a mounted Secret"
    pw = data["DETECTOR_SCHEMA_REGISTRY_PASSWORD_FILE"]
    assert any(pw.startswith(mounts[v] + "/") for v in secret_vols), "registry password file not from a Secret"


@check("StatefulSet: prometheus.io annotations on the pods")
def _sts_annotations():
    ann = statefulset()["spec"]["template"]["metadata"]["annotations"]
    assert ann["prometheus.io/scrape"] == "true"
    assert ann["prometheus.io/port"] == str(METRICS_PORT)
    assert ann["prometheus.io/path"] == "/metrics"


@check("ConfigMap: only known DETECTOR_* variables, matching the contract's defaults where fixed")
def _configmap():
    data = one("ConfigMap")["data"]
    unknown = set(data) - DETECTOR_ENV
    assert not unknown, f"unknown variables: {sorted(unknown)}"
    assert all(isinstance(v, str) for v in data.values()), "ConfigMap values must be strings"
    assert data["DETECTOR_METRICS_PORT"] == str(METRICS_PORT)
    assert data["DETECTOR_OUTPUT_TOPIC"] == ALERTS_TOPIC and data["DETECTOR_DLQ_TOPIC"] == DLQ_TOPIC
    assert data["DETECTOR_INPUT_TOPICS"] == INPUT_TOPIC
    assert data["DETECTOR_PROCESSING_GUARANTEE"] in ("exactly_once_v2", "at_least_once")


# --------------------------------------------------------------------------- Services, PDB, PodMonitor
@check("Service: metrics service exposes 9464 and selects the detector pods")
def _metrics_service():
    labels = statefulset()["spec"]["template"]["metadata"]["labels"]
    svcs = [s for s in of_kind("Service") if s["spec"].get("clusterIP") != "None"]
    assert svcs, "no metrics Service"
    for s in svcs:
        assert matches(s["spec"]["selector"], labels)
        assert any(p["port"] == METRICS_PORT and p.get("name") == "metrics" for p in s["spec"]["ports"])


@check("PodDisruptionBudget: maxUnavailable 1 over the detector pods")
def _pdb():
    pdb = one("PodDisruptionBudget")
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["maxUnavailable"] == 1
    assert matches(pdb["spec"]["selector"]["matchLabels"], statefulset()["spec"]["template"]["metadata"]["labels"])


@check("PodMonitor: selects the detector pods and their metrics port")
def _podmonitor():
    pm = one("PodMonitor")
    assert pm["apiVersion"] == "monitoring.coreos.com/v1"
    labels = statefulset()["spec"]["template"]["metadata"]["labels"]
    assert matches(pm["spec"]["selector"]["matchLabels"], labels), "selector does not match the pods"
    ports = {p["name"] for p in detector_container()["ports"]}
    eps = pm["spec"]["podMetricsEndpoints"]
    assert eps and all(e["port"] in ports and e["port"] == "metrics" for e in eps), eps
    assert all(e.get("path", "/metrics") == "/metrics" for e in eps)


# --------------------------------------------------------------------------- Strimzi topics
@check("KafkaTopic: every topic has partitions, replicas, retention and a cluster label")
def _topics_fields():
    topics = of_kind("KafkaTopic")
    assert topics
    for t in topics:
        assert t["apiVersion"] == "kafka.strimzi.io/v1beta2"
        assert t["metadata"]["labels"].get("strimzi.io/cluster"), "strimzi.io/cluster label missing"
        spec = t["spec"]
        assert isinstance(spec["partitions"], int) and spec["partitions"] > 0
        assert isinstance(spec["replicas"], int) and spec["replicas"] > 0
        assert int(spec["config"]["retention.ms"]) > 0


@check("KafkaTopic: input (>= 8 days, RF 3, min.insync 2, >= replicas partitions), alerts, dead letters (32 MiB records)")
def _topics_contract():
    by_name = {t["spec"].get("topicName", t["metadata"]["name"]): t["spec"] for t in of_kind("KafkaTopic")}
    assert set(by_name) >= {INPUT_TOPIC, ALERTS_TOPIC, DLQ_TOPIC}, sorted(by_name)
    inp = by_name[INPUT_TOPIC]
    assert int(inp["config"]["retention.ms"]) >= EIGHT_DAYS_MS, f"input retention.ms {inp['config']['retention.ms']} < 8 days"
    assert inp["replicas"] == 3, f"input replicas {inp['replicas']} != 3"
    assert int(inp["config"]["min.insync.replicas"]) == 2, "input min.insync.replicas != 2"
    assert inp["partitions"] >= statefulset()["spec"]["replicas"], "fewer partitions than instances"
    for name in (ALERTS_TOPIC, DLQ_TOPIC):
        spec = by_name[name]
        assert spec["replicas"] >= 3 and int(spec["config"]["min.insync.replicas"]) >= 2, f"{name}: {spec}"
        # an alert or dead letter may be larger than Kafka's 1 MB default (long command lines)
        assert int(spec["config"].get("max.message.bytes", 0)) >= MAX_RECORD_BYTES, f"{name}: {spec}"


# --------------------------------------------------------------------------- PrometheusRule
def rules():
    return [r for pr in of_kind("PrometheusRule") for g in pr["spec"]["groups"] for r in g["rules"]]


@check("PrometheusRule: every expr queries a detector_ or kafka_ metric that exists")
def _rules_metrics():
    assert rules()
    for r in rules():
        used = metrics_in(r["expr"])
        assert used, f"{r.get('alert')}: expr mentions no detector_/kafka_ metric"
        unknown = used - KNOWN_METRICS
        assert not unknown, f"{r.get('alert')}: unknown metrics {sorted(unknown)}"
        assert r["labels"]["severity"] in ("info", "warning", "critical")
        assert r["annotations"]["summary"]


@check("PrometheusRule: lag growing 10m, dead letters, not ready 5m, no events 15m, waiting full")
def _rules_coverage():
    def find(metric):
        found = [r for r in rules() if metric in r["expr"]]
        assert found, f"no rule on {metric}"
        return found

    lag = find("kafka_consumer_fetch_manager_records_lag_max")
    assert any(r.get("for") == "10m" and "[10m]" in r["expr"] for r in lag), "lag rule must cover 10 minutes"
    assert any("increase(detector_dead_letters_total" in r["expr"] for r in find("detector_dead_letters_total"))
    assert any(r.get("for") == "5m" and "!= 2" in r["expr"] for r in find("kafka_stream_client_state")), \
        "not-ready rule: client state other than RUNNING (2) for 5m"
    assert any(r.get("for") == "15m" for r in find("detector_events_total")), "no-events rule must wait 15m"
    assert any('reason="waiting_full"' in r["expr"] for r in find("detector_process_tree_orphans_total")), \
        "a child turned away by the full waiting store can cost a match: it must alert"


# --------------------------------------------------------------------------- Grafana
def dashboard():
    with open(DEPLOY / "grafana" / "detector-dashboard.json", encoding="utf-8") as f:
        return json.load(f)


def panels():
    out = []
    for p in dashboard()["panels"]:
        out.append(p)
        out.extend(p.get("panels", []))
    return out


@check("Grafana: dashboard JSON structure (uid, unique panel ids, gridPos, datasource variable)")
def _dashboard_structure():
    d = dashboard()
    assert d["uid"] and d["title"] and isinstance(d["schemaVersion"], int)
    ids = [p["id"] for p in panels()]
    assert len(ids) == len(set(ids)), "duplicate panel ids"
    assert all({"x", "y", "w", "h"} <= set(p["gridPos"]) for p in panels())
    names = {v["name"] for v in d["templating"]["list"]}
    assert "datasource" in names
    for p in panels():
        if p["type"] != "row":
            assert p["targets"], f"panel {p['title']} has no targets"
            assert p["datasource"]["uid"] == "${datasource}"


@check("Grafana: panels query the detector's and Kafka Streams' metrics, and only existing ones")
def _dashboard_metrics():
    exprs = [t["expr"] for p in panels() for t in p.get("targets", [])]
    used = set().union(*(metrics_in(e) for e in exprs))
    unknown = used - KNOWN_METRICS
    assert not unknown, f"unknown metrics {sorted(unknown)}"
    required = {
        "detector_events_total", "detector_matches_total", "detector_alerts_total",
        "detector_dead_letters_total", "kafka_consumer_fetch_manager_records_lag_max",
        "detector_event_to_alert_latency_seconds_bucket", "kafka_stream_client_state",
    }
    assert required <= used, f"missing {sorted(required - used)}"
    joined = "\n".join(exprs)
    assert "by (format)" in joined, "events/s must be split by input format"
    assert "by (reason)" in joined, "dead letters must be split by reason"
    for q in ("0.5", "0.99"):
        assert f"histogram_quantile({q}," in joined, f"latency p{q} missing"


# --------------------------------------------------------------------------- compose and image
def compose():
    return load_docs(ROOT / "docker-compose.yml")[0]["services"]


@check("compose: every service on the host's network, Kafka 4.x KRaft on 127.0.0.1, registry, healthchecks")
def _compose_infra():
    s = compose()
    for name, service in s.items():
        assert service.get("network_mode") == "host", f"{name}: network_mode host"
        assert "ports" not in service, f"{name}: no published ports on the host's network"
    kafka = s["kafka"]
    assert re.fullmatch(r"\$\{KAFKA_IMAGE:-apache/kafka:4\.\d+\.\d+\}", kafka["image"]), kafka["image"]
    env = kafka["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://127.0.0.1:9092"
    assert "healthcheck" in kafka and "healthcheck" in s["schema-registry"]
    sr = s["schema-registry"]
    assert re.fullmatch(
        r"\$\{SCHEMA_REGISTRY_IMAGE:-confluentinc/cp-schema-registry:7\.9\.\d+\}", sr["image"]
    ), sr["image"]
    assert sr["environment"]["SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS"].endswith("127.0.0.1:9092")
    assert "${SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081}/subjects" in " ".join(sr["healthcheck"]["test"])


@check("compose: stand-ins (deploy/docker/standins.env) name every Hub-only image compose uses")
def _compose_standins():
    env = dict(
        line.split("=", 1)
        for line in (ROOT / "deploy/docker/standins.env").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert set(env) == {"MAVEN_IMAGE", "JRE_IMAGE", "KAFKA_IMAGE", "SCHEMA_REGISTRY_IMAGE",
                        "SCHEMA_REGISTRY_URL"}, sorted(env)
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for key in env:
        assert "${" + key + ":-" in text, f"docker-compose.yml does not read {key}"
    assert env["SCHEMA_REGISTRY_URL"].endswith("/apis/ccompat/v7")


@check("compose: one-shot topics service creates the three topics (input: 6 partitions, 8 days; outputs 32 MiB records)")
def _compose_topics():
    t = compose()["topics"]
    assert t["depends_on"]["kafka"]["condition"] == "service_healthy"
    script = " ".join(t["command"]) if isinstance(t["command"], list) else t["command"]
    assert "/opt/kafka/bin/kafka-topics.sh" in script
    for name in (INPUT_TOPIC, ALERTS_TOPIC, DLQ_TOPIC):
        assert f"--topic {name} " in script, f"{name} not created"
    line = script[script.index(f"--topic {INPUT_TOPIC} "):].split("\n$$")[0]
    assert "--partitions 6" in line and f"retention.ms={EIGHT_DAYS_MS}" in line, line
    for name in (ALERTS_TOPIC, DLQ_TOPIC):
        line = script[script.index(f"--topic {name} "):].split("\n$$")[0]
        assert f"max.message.bytes={MAX_RECORD_BYTES}" in line, f"{name}: {line}"


@check("compose: detector runs `run` with state volume, port 9464, waits for topics and registry")
def _compose_detector():
    s = compose()
    d = s["detector"]
    assert d["command"][0] == "run"
    assert d["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    assert d["depends_on"]["schema-registry"]["condition"] == "service_healthy"
    assert f"detector-state:{STATE_DIR}" in d["volumes"]
    assert d["environment"]["DETECTOR_METRICS_PORT"] == str(METRICS_PORT)
    assert "/health/ready" in " ".join(d["healthcheck"]["test"])
    assert set(d["environment"]) <= DETECTOR_ENV, sorted(set(d["environment"]) - DETECTOR_ENV)
    assert d["build"]["network"] == "host"
    g = s["generator"]
    assert g["image"] == d["image"] == "${DETECTOR_IMAGE:-web-shell-detector:local}"
    assert g["command"][:3] == ["generate", "--rate", "50"]


@check("Dockerfile: upstream bases by default (build args), non-root, launcher layout, JVM flags, volume, port")
def _dockerfile():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert not text.startswith("# syntax="), "Debian's Docker 20.10 cannot pull a syntax frontend"
    assert "--mount=" not in text and "--chmod" not in text, "classic builder: no BuildKit-only flags"
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", text, re.M))
    assert args.get("MAVEN_IMAGE") == "maven:3.9-eclipse-temurin-17", args
    assert args.get("JRE_IMAGE") == "eclipse-temurin:17-jre", args
    froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert froms[0] == "${MAVEN_IMAGE}" and froms[-1] == "${JRE_IMAGE}", froms
    assert re.search(r"mvn -B -ntp -pl detector-app -am -Dmaven.test.skip=true", text)
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0"), users
    assert "DETECTOR_PREBUILT=1" in text
    assert "-XX:MaxRAMPercentage=75" in text and "-XX:+ExitOnOutOfMemoryError" in text
    for src in ("detector-app/target/classes", "detector-app/target/lib"):
        assert re.search(rf"COPY --from=\S+ /src/{src} {src}", text), f"{src} not copied"
    assert re.search(r"^WORKDIR /opt/detector$", text, re.M)
    assert re.search(r'^ENTRYPOINT \["/opt/detector/bin/detector"\]', text, re.M)
    assert re.search(rf"^VOLUME {STATE_DIR}$", text, re.M)
    assert re.search(rf"^EXPOSE {METRICS_PORT}$", text, re.M)
    assert re.search(r"^STOPSIGNAL SIGTERM$", text, re.M)
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert "**/target/" in ignore and ".git/" in ignore


def launcher_java_args(env):
    """The arguments bin/detector gives `java`, read from a stand-in `java` that prints them."""
    import os
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        fake = pathlib.Path(tmp) / "java"
        fake.write_text('#!/bin/sh\nfor a in "$@"; do printf \'%s\\n\' "$a"; done\n')
        fake.chmod(0o755)
        base = {k: v for k, v in os.environ.items() if k != "DETECTOR_JAVA_OPTS"}
        base.update(env, DETECTOR_PREBUILT="1", PATH=f"{tmp}:{os.environ['PATH']}")
        out = subprocess.run([str(ROOT / "bin" / "detector"), "--help"], env=base,
                             capture_output=True, text=True, check=True).stdout
    return out.splitlines()


@check("launcher: the JVM's warnings go to stderr, ahead of DETECTOR_JAVA_OPTS or the defaults")
def _launcher_jvm_log_to_stderr():
    # stdout carries data (scan's alerts, generate's records): unified logging's warnings, on
    # stdout unless told otherwise, must not land there, whatever the user sets
    log = ["-Xlog:disable", "-Xlog:all=warning:stderr"]
    given = launcher_java_args({"DETECTOR_JAVA_OPTS": "-Xmx256m -XX:+UseSerialGC"})
    assert given[:4] == log + ["-Xmx256m", "-XX:+UseSerialGC"], given[:6]
    assert "-XX:+UseParallelGC" not in given, "the user's options replace the defaults"
    default = launcher_java_args({})
    assert default[:2] == log and "-Xmx512m" in default and "-XX:+UseParallelGC" in default, default
    assert default[-1] == "--help" and "dev.webshell.detector.cli.Main" in default, default[-3:]


# --------------------------------------------------------------------------- runner
def main():
    passed = failed = 0
    for name, fn in results:
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported, not just assertions
            failed += 1
            print(f"FAIL  {name}: {type(e).__name__}: {e}")
        else:
            passed += 1
            print(f"ok    {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
