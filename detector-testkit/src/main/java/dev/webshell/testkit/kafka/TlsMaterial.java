package dev.webshell.testkit.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.SslConfigs;

/**
 * Throwaway TLS material for tests, made with the JDK's own {@code keytool} (no extra library): a
 * self-signed CA, a server key and certificate signed by it for {@code localhost} and {@code
 * 127.0.0.1} (subject alternative names, so clients can keep hostname verification on), a PKCS12
 * keystore holding the server key with its chain, and a PKCS12 truststore holding only the CA
 * certificate. All stores share one random password.
 *
 * <p>{@code keytool} generates the keys and signs the server certificate ({@code -genkeypair},
 * {@code -certreq}, {@code -gencert}); the stores are assembled with {@link KeyStore}, which saves
 * three more {@code keytool} JVMs. Generation takes a few seconds (two stages of two JVMs each).
 */
public final class TlsMaterial {
  /** Type of every store written here. */
  public static final String STORE_TYPE = "PKCS12";

  private static final String PASSWORD_ENV = "EMBEDDED_KAFKA_TLS_PASSWORD";
  private static final String CA_ALIAS = "ca";
  private static final String SERVER_ALIAS = "server";
  private static final long KEYTOOL_TIMEOUT_SECONDS = 120;

  private final Path keystore;
  private final Path truststore;
  private final String password;
  private final X509Certificate ca;
  private final X509Certificate server;

  private TlsMaterial(
      Path keystore, Path truststore, String password, X509Certificate ca, X509Certificate server) {
    this.keystore = keystore;
    this.truststore = truststore;
    this.password = password;
    this.ca = ca;
    this.server = server;
  }

  /**
   * Generates a CA and a server certificate for {@code localhost} / {@code 127.0.0.1} in {@code
   * dir} (created if missing): {@code server.p12} (keystore), {@code truststore.p12}, and the CA's
   * own keystore {@code ca.p12}.
   *
   * @param dir directory for the stores
   * @return the generated material
   */
  public static TlsMaterial generate(Path dir) {
    String password = randomPassword();
    try {
      Files.createDirectories(dir);
      Path ca = dir.resolve("ca.p12");
      Path server = dir.resolve("server.p12");
      Path serverCert = dir.resolve("server.crt");
      // stage 1: both key pairs at once
      run(
          dir,
          password,
          List.of(
              List.of(caKeyPair(password, dir, ca, "CN=embedded-kafka-test-ca")),
              List.of(
                  keytool(
                      password,
                      dir,
                      "-genkeypair",
                      "-alias",
                      SERVER_ALIAS,
                      "-keyalg",
                      "EC",
                      "-groupname",
                      "secp256r1",
                      "-dname",
                      "CN=localhost",
                      "-validity",
                      "7",
                      "-keystore",
                      server.toString(),
                      "-storetype",
                      STORE_TYPE,
                      "-storepass:env",
                      PASSWORD_ENV))));
      // stage 2: the server's certificate request piped into the CA's signing
      run(
          dir,
          password,
          List.of(
              List.of(
                  keytool(
                      password,
                      dir,
                      "-certreq",
                      "-alias",
                      SERVER_ALIAS,
                      "-keystore",
                      server.toString(),
                      "-storetype",
                      STORE_TYPE,
                      "-storepass:env",
                      PASSWORD_ENV),
                  keytool(
                      password,
                      dir,
                      "-gencert",
                      "-alias",
                      CA_ALIAS,
                      "-keystore",
                      ca.toString(),
                      "-storetype",
                      STORE_TYPE,
                      "-storepass:env",
                      PASSWORD_ENV,
                      "-ext",
                      "SAN=dns:localhost,ip:127.0.0.1",
                      "-ext",
                      "EKU=serverAuth,clientAuth",
                      "-ext",
                      "KU=digitalSignature,keyAgreement",
                      "-validity",
                      "7",
                      "-rfc",
                      "-outfile",
                      serverCert.toString()))));
      X509Certificate caCert = (X509Certificate) load(ca, password).getCertificate(CA_ALIAS);
      X509Certificate serverCertificate;
      try (InputStream in = Files.newInputStream(serverCert)) {
        serverCertificate =
            (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      serverCertificate.verify(caCert.getPublicKey());
      // the server keystore: its key with the chain server → CA
      KeyStore keys = load(server, password);
      PrivateKey key = (PrivateKey) keys.getKey(SERVER_ALIAS, password.toCharArray());
      keys.setKeyEntry(
          SERVER_ALIAS, key, password.toCharArray(), new Certificate[] {serverCertificate, caCert});
      store(keys, server, password);
      Path truststore = dir.resolve("truststore.p12");
      writeTruststore(truststore, password, caCert);
      return new TlsMaterial(server, truststore, password, caCert, serverCertificate);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("generating TLS material failed: " + e, e);
    }
  }

  /**
   * Writes a PKCS12 truststore holding only a freshly generated CA that signed nothing: what a
   * client configured with the wrong CA has. One {@code keytool} JVM.
   *
   * @param dir directory for the store (created if missing)
   * @param password the truststore's password
   * @return the truststore, {@code other-ca-truststore.p12} in {@code dir}
   */
  public static Path truststoreOfAnotherCa(Path dir, String password) {
    try {
      Files.createDirectories(dir);
      Path ca = Files.createTempFile(dir, "other-ca-", ".p12");
      Files.delete(ca); // keytool refuses to write into an empty file
      run(dir, password, List.of(List.of(caKeyPair(password, dir, ca, "CN=some-other-ca"))));
      X509Certificate other = (X509Certificate) load(ca, password).getCertificate(CA_ALIAS);
      Files.delete(ca);
      Path truststore = dir.resolve("other-ca-truststore.p12");
      writeTruststore(truststore, password, other);
      return truststore;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("generating a CA failed: " + e, e);
    }
  }

  /** The {@code keytool} command making a throwaway CA key pair (7 days) in {@code keystore}. */
  private static ProcessBuilder caKeyPair(String password, Path dir, Path keystore, String dname) {
    return keytool(
        password,
        dir,
        "-genkeypair",
        "-alias",
        CA_ALIAS,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        dname,
        "-ext",
        "bc:c",
        "-ext",
        "KU=keyCertSign,cRLSign",
        "-validity",
        "7",
        "-keystore",
        keystore.toString(),
        "-storetype",
        STORE_TYPE,
        "-storepass:env",
        PASSWORD_ENV);
  }

  /**
   * The server keystore (PKCS12): the server key with its chain (server certificate, CA).
   *
   * @return path of the keystore
   */
  public Path keystore() {
    return keystore;
  }

  /**
   * The truststore (PKCS12) clients need: the CA certificate only.
   *
   * @return path of the truststore
   */
  public Path truststore() {
    return truststore;
  }

  /**
   * The password of the keystore, its key, and the truststore (random per generation).
   *
   * @return the password
   */
  public String password() {
    return password;
  }

  /**
   * The CA certificate.
   *
   * @return the self-signed CA certificate
   */
  public X509Certificate caCertificate() {
    return ca;
  }

  /**
   * The server certificate (subject {@code CN=localhost}, SAN {@code DNS:localhost, IP:127.0.0.1}).
   *
   * @return the server certificate
   */
  public X509Certificate serverCertificate() {
    return server;
  }

  /**
   * Client TLS settings trusting this CA: {@code ssl.truststore.location}, {@code
   * ssl.truststore.password}, {@code ssl.truststore.type}. Hostname verification ({@code
   * ssl.endpoint.identification.algorithm}) stays at Kafka's default, {@code https}.
   *
   * @return an immutable map of client settings
   */
  public Map<String, Object> clientTrustConfig() {
    return Map.of(
        SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
        truststore.toString(),
        SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG,
        password,
        SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG,
        STORE_TYPE);
  }

  /**
   * Broker settings for one listener, e.g. {@code listener.name.ssl.ssl.keystore.location}.
   *
   * @param listenerPrefix {@code listener.name.<name>.}
   * @return keystore location, type and passwords under that prefix
   */
  Map<String, Object> brokerKeystoreConfig(String listenerPrefix) {
    return Map.of(
        listenerPrefix + SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG,
        keystore.toString(),
        listenerPrefix + SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG,
        password,
        listenerPrefix + SslConfigs.SSL_KEY_PASSWORD_CONFIG,
        password,
        listenerPrefix + SslConfigs.SSL_KEYSTORE_TYPE_CONFIG,
        STORE_TYPE);
  }

  // ---------------------------------------------------------------------------------------------

  private static String randomPassword() {
    return "tls-" + UUID.randomUUID().toString().replace("-", "");
  }

  private static ProcessBuilder keytool(String password, Path dir, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    // a short-lived tool: skip the optimizing compiler and the parallel collector
    cmd.add("-J-XX:TieredStopAtLevel=1");
    cmd.add("-J-XX:+UseSerialGC");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    // the password goes by environment, never on a command line
    pb.environment().put(PASSWORD_ENV, password);
    return pb;
  }

  /**
   * Runs several pipelines at once (each a list of processes whose stdout feeds the next one's
   * stdin) and waits for all; fails with keytool's own output if any process fails.
   */
  private static void run(Path dir, String password, List<List<ProcessBuilder>> pipelines)
      throws IOException {
    List<Process> processes = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    try {
      for (List<ProcessBuilder> pipeline : pipelines) {
        for (ProcessBuilder pb : pipeline) {
          Path log = Files.createTempFile(dir, "keytool-", ".log");
          logs.add(log);
          pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
          if (pb == pipeline.get(pipeline.size() - 1)) {
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
          }
        }
        processes.addAll(ProcessBuilder.startPipeline(pipeline));
      }
      for (int i = 0; i < processes.size(); i++) {
        Process p = processes.get(i);
        if (!p.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          throw new IllegalStateException(
              "keytool did not finish within " + KEYTOOL_TIMEOUT_SECONDS + " s");
        }
        if (p.exitValue() != 0) {
          throw new IllegalStateException(
              "keytool failed (exit "
                  + p.exitValue()
                  + "): "
                  + Files.readString(logs.get(i)).replace(password, "***").strip());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running keytool", e);
    } finally {
      for (Process p : processes) {
        if (p.isAlive()) {
          p.destroyForcibly();
        }
      }
      for (Path log : logs) {
        Files.deleteIfExists(log);
      }
    }
  }

  private static KeyStore load(Path file, String password)
      throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance(STORE_TYPE);
    try (InputStream in = Files.newInputStream(file)) {
      ks.load(in, password.toCharArray());
    }
    return ks;
  }

  private static void store(KeyStore ks, Path file, String password)
      throws IOException, GeneralSecurityException {
    try (OutputStream out = Files.newOutputStream(file)) {
      ks.store(out, password.toCharArray());
    }
  }

  private static void writeTruststore(Path file, String password, X509Certificate ca)
      throws IOException, GeneralSecurityException {
    KeyStore ts = KeyStore.getInstance(STORE_TYPE);
    ts.load(null, null);
    ts.setCertificateEntry(CA_ALIAS, ca);
    store(ts, file, password);
  }
}
