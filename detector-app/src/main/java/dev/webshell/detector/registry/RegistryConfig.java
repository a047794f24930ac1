package dev.webshell.detector.registry;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the schema registry is, how to authenticate to it and how patiently to ask it. Immutable;
 * {@link #toString()} never shows a secret.
 *
 * <p>{@code urls} are one or more base URLs, each possibly with a path prefix ({@code
 * http://host:8080/apis/ccompat/v7} for Apicurio), or a single {@code mock://NAME} for the
 * in-memory {@link MockSchemaRegistryClient}. Credentials written into a URL ({@code
 * https://user:password@host}) are moved into {@link #basicAuthUser()} / {@link
 * #basicAuthPassword()} (unless those are set explicitly) and removed from {@link #urls()}, so that
 * the URLs can be logged and shown in error messages.
 *
 * <p>A secret that is required is never replaced by an empty one: basic auth without a password, a
 * key store or trust store without its password, an empty bearer token are refused.
 *
 * @param urls base URLs without credentials and without a trailing slash; never empty
 * @param basicAuthUser user for HTTP basic auth, or null for none
 * @param basicAuthPassword its password, non-empty; non-null exactly when {@code basicAuthUser} is
 * @param bearerToken a static bearer token ({@code Authorization: Bearer}), or null
 * @param oauth OAuth client-credentials settings that fetch the bearer token, or null
 * @param bearerLogicalCluster Confluent Cloud's {@code target-sr-cluster} header, or null
 * @param bearerIdentityPoolId Confluent Cloud's {@code Confluent-Identity-Pool-Id} header, or null
 * @param truststorePath trust store for TLS, or null for the JDK's default trust
 * @param truststorePassword its password; non-null when {@code truststorePath} is
 * @param truststoreType {@code PKCS12}, {@code JKS}, ...; null to guess from the file name
 * @param keystorePath key store holding a client certificate (mutual TLS), or null
 * @param keystorePassword its password; non-null when {@code keystorePath} is
 * @param keystoreType like {@code truststoreType}
 * @param keyPassword the private key's password; null: the key store's
 * @param requestTimeout connect and request timeout of one attempt
 * @param retries how often and how patiently a failed request is repeated
 */
public record RegistryConfig(
    List<String> urls,
    String basicAuthUser,
    String basicAuthPassword,
    String bearerToken,
    OAuth oauth,
    String bearerLogicalCluster,
    String bearerIdentityPoolId,
    Path truststorePath,
    String truststorePassword,
    String truststoreType,
    Path keystorePath,
    String keystorePassword,
    String keystoreType,
    String keyPassword,
    Duration requestTimeout,
    Retries retries) {

  /** The scheme that selects {@link MockSchemaRegistryClient}. */
  public static final String MOCK_SCHEME = "mock";

  /** Default {@link #requestTimeout()}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * How a request that failed in a way worth retrying ({@link SchemaRegistryException#isRetriable})
   * is repeated against one URL before the next URL is tried: {@code maxRetries} more attempts,
   * waiting before attempt {@code n} (from 0) a random time of up to {@code min(initialWait × 2ⁿ,
   * maxWait)} ("full jitter"), and at least what a 429 or 503's {@code Retry-After} asks (up to
   * {@code maxWait}). Confluent's client's settings and defaults: {@code max.retries=3}, {@code
   * retries.wait.ms=1000}, {@code retries.max.wait.ms=20000}.
   *
   * @param maxRetries retries after the first attempt, per URL; 0 for none
   * @param initialWait the bound of the first wait
   * @param maxWait the bound of any wait
   */
  public record Retries(int maxRetries, Duration initialWait, Duration maxWait) {
    /** Confluent's defaults: 3 retries, 1 s first wait, 20 s at most. */
    public static final Retries DEFAULT =
        new Retries(3, Duration.ofSeconds(1), Duration.ofSeconds(20));

    public Retries {
      Objects.requireNonNull(initialWait, "initialWait");
      Objects.requireNonNull(maxWait, "maxWait");
      if (maxRetries < 0 || initialWait.isNegative() || maxWait.compareTo(initialWait) < 0) {
        throw new IllegalArgumentException(
            "schema registry retries: max.retries must be 0 or more and retries.max.wait.ms at"
                + " least retries.wait.ms (got "
                + maxRetries
                + ", "
                + initialWait.toMillis()
                + " ms, "
                + maxWait.toMillis()
                + " ms)");
      }
    }
  }

  /**
   * OAuth 2 client credentials: a token is fetched from {@code tokenEndpoint} with the client's id
   * and secret, and used as the bearer token until shortly before it expires (Confluent's {@code
   * bearer.auth.credentials.source=OAUTHBEARER}).
   *
   * @param tokenEndpoint the issuer's token endpoint ({@code bearer.auth.issuer.endpoint.url})
   * @param clientId {@code bearer.auth.client.id}
   * @param clientSecret {@code bearer.auth.client.secret}, non-empty
   * @param scope {@code bearer.auth.scope}, or null
   * @param expiryBuffer how long before its expiry a token is replaced ({@code
   *     bearer.auth.cache.expiry.buffer.seconds}, default 300 s)
   */
  public record OAuth(
      URI tokenEndpoint,
      String clientId,
      String clientSecret,
      String scope,
      Duration expiryBuffer) {
    public OAuth {
      Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
      Objects.requireNonNull(expiryBuffer, "expiryBuffer");
      requireSecret(clientId, "OAuth client id (bearer.auth.client.id)");
      requireSecret(clientSecret, "OAuth client secret (bearer.auth.client.secret)");
    }

    @Override
    public String toString() {
      return "OAuth[tokenEndpoint="
          + tokenEndpoint
          + ", clientId="
          + clientId
          + ", clientSecret=***"
          + (scope == null ? "" : ", scope=" + scope)
          + "]";
    }
  }

  public RegistryConfig {
    Objects.requireNonNull(urls, "urls");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(retries, "retries");
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("no schema registry URL given");
    }
    List<String> clean = new ArrayList<>(urls.size());
    for (String raw : urls) {
      URI uri = parse(raw);
      String userInfo = uri.getRawUserInfo();
      if (userInfo != null && basicAuthUser == null && bearerToken == null && oauth == null) {
        int colon = userInfo.indexOf(':');
        if (colon < 0) {
          throw new IllegalArgumentException(
              "the schema registry URL holds a user but no password (http://USER:PASSWORD@host)");
        }
        basicAuthUser = decode(userInfo.substring(0, colon));
        basicAuthPassword = decode(userInfo.substring(colon + 1));
      }
      clean.add(withoutUserInfo(uri));
    }
    urls = List.copyOf(clean);
    if (isMock(urls.get(0)) && urls.size() > 1) {
      throw new IllegalArgumentException("a mock:// schema registry URL must be the only one");
    }
    if (basicAuthUser != null || basicAuthPassword != null) {
      if (basicAuthUser == null || basicAuthUser.isEmpty()) {
        throw new IllegalArgumentException("schema registry basic auth has a password but no user");
      }
      requireSecret(basicAuthPassword, "schema registry basic-auth password");
    }
    if (bearerToken != null) {
      requireSecret(bearerToken, "schema registry bearer token");
    }
    if (bearerToken != null && oauth != null) {
      throw new IllegalArgumentException(
          "both a static bearer token and OAuth are configured for the schema registry");
    }
    if (basicAuthUser != null && (bearerToken != null || oauth != null)) {
      throw new IllegalArgumentException(
          "both basic auth and a bearer token are configured for the schema registry; keep one");
    }
    if (truststorePath != null) {
      requireSecret(truststorePassword, "password of the schema registry truststore");
    }
    if (keystorePath != null) {
      requireSecret(keystorePassword, "password of the schema registry keystore");
    }
    if (keyPassword != null) {
      requireSecret(keyPassword, "password of the schema registry key");
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
    }
  }

  private static void requireSecret(String secret, String what) {
    if (secret == null) {
      throw new IllegalArgumentException("no " + what + " given");
    }
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("the " + what + " is empty");
    }
  }

  /** A configuration for {@code urls} (one URL or several separated by commas), nothing else. */
  public static RegistryConfig of(String urls) {
    return builder(urls).build();
  }

  /** A builder for {@code urls} (one URL or several separated by commas). */
  public static Builder builder(String urls) {
    return new Builder(urls);
  }

  /** True when {@link #urls()} selects the in-memory mock. */
  public boolean isMock() {
    return isMock(urls.get(0));
  }

  /** The scope name of a {@code mock://NAME} URL. */
  public String mockScope() {
    if (!isMock()) {
      throw new IllegalStateException("not a mock:// URL: " + urls.get(0));
    }
    return urls.get(0).substring((MOCK_SCHEME + "://").length());
  }

  /** The URLs, comma-separated; safe to log. */
  public String urlsForDisplay() {
    return String.join(",", urls);
  }

  @Override
  public String toString() {
    return "RegistryConfig[urls="
        + urlsForDisplay()
        + (basicAuthUser == null
            ? ""
            : ", basicAuthUser=" + basicAuthUser + ", basicAuthPassword=***")
        + (bearerToken == null ? "" : ", bearerToken=***")
        + (oauth == null ? "" : ", " + oauth)
        + (bearerLogicalCluster == null ? "" : ", logicalCluster=" + bearerLogicalCluster)
        + (bearerIdentityPoolId == null ? "" : ", identityPoolId=" + bearerIdentityPoolId)
        + (truststorePath == null
            ? ""
            : ", truststore="
                + truststorePath
                + (truststoreType == null ? "" : " (" + truststoreType + ")")
                + ", truststorePassword=***")
        + (keystorePath == null
            ? ""
            : ", keystore="
                + keystorePath
                + (keystoreType == null ? "" : " (" + keystoreType + ")")
                + ", keystorePassword=***"
                + (keyPassword == null ? "" : ", keyPassword=***"))
        + ", requestTimeout="
        + requestTimeout
        + ", "
        + retries
        + "]";
  }

  private static boolean isMock(String url) {
    return url.regionMatches(true, 0, MOCK_SCHEME + "://", 0, MOCK_SCHEME.length() + 3);
  }

  private static URI parse(String raw) {
    String url = raw == null ? "" : raw.strip();
    if (url.isEmpty()) {
      throw new IllegalArgumentException("empty schema registry URL");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      // the input may hold a password: name the problem, not the URL
      throw new IllegalArgumentException(
          "malformed schema registry URL (" + e.getReason() + " at index " + e.getIndex() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals(MOCK_SCHEME)) {
      if (uri.getRawAuthority() == null || uri.getRawAuthority().isEmpty()) {
        throw new IllegalArgumentException("mock:// URL needs a scope name: mock://NAME");
      }
      return uri;
    }
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "schema registry URL must start with http://, https:// or mock://");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("schema registry URL has no host");
    }
    return uri;
  }

  private static String withoutUserInfo(URI uri) {
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals(MOCK_SCHEME)) {
      return MOCK_SCHEME + "://" + uri.getRawAuthority();
    }
    StringBuilder s = new StringBuilder(scheme).append("://").append(uri.getHost());
    if (uri.getPort() >= 0) {
      s.append(':').append(uri.getPort());
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return s.append(path).toString();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** Builds a {@link RegistryConfig}. Not thread-safe. */
  public static final class Builder {
    private final List<String> urls = new ArrayList<>();
    private String user;
    private String password;
    private Path passwordFile;
    private String bearerToken;
    private OAuth oauth;
    private String logicalCluster;
    private String identityPoolId;
    private Path truststorePath;
    private String truststorePassword;
    private String truststoreType;
    private Path keystorePath;
    private String keystorePassword;
    private String keystoreType;
    private String keyPassword;
    private Duration requestTimeout = DEFAULT_TIMEOUT;
    private Retries retries = Retries.DEFAULT;

    private Builder(String commaSeparatedUrls) {
      Objects.requireNonNull(commaSeparatedUrls, "urls");
      for (String u : commaSeparatedUrls.split(",")) {
        if (!u.isBlank()) {
          urls.add(u.strip());
        }
      }
    }

    /** HTTP basic auth with this user and password (replaces any bearer token set before). */
    public Builder basicAuth(String user, String password) {
      this.user = Objects.requireNonNull(user, "user");
      this.password = Objects.requireNonNull(password, "password");
      this.passwordFile = null;
      this.bearerToken = null;
      this.oauth = null;
      return this;
    }

    /**
     * HTTP basic auth with this user and the password held in {@code passwordFile} (read by {@link
     * #build()}; one trailing line break is dropped), as mounted Kubernetes secrets provide it.
     */
    public Builder basicAuthPasswordFile(String user, Path passwordFile) {
      this.user = Objects.requireNonNull(user, "user");
      this.passwordFile = Objects.requireNonNull(passwordFile, "passwordFile");
      this.password = null;
      this.bearerToken = null;
      this.oauth = null;
      return this;
    }

    /** A static bearer token (replaces any basic auth or OAuth set before). */
    public Builder bearerToken(String token) {
      this.bearerToken = Objects.requireNonNull(token, "token");
      this.oauth = null;
      this.user = null;
      this.password = null;
      this.passwordFile = null;
      return this;
    }

    /** Bearer tokens fetched with OAuth client credentials (replaces other credentials). */
    public Builder oauth(OAuth oauth) {
      this.oauth = Objects.requireNonNull(oauth, "oauth");
      this.bearerToken = null;
      this.user = null;
      this.password = null;
      this.passwordFile = null;
      return this;
    }

    /** Confluent Cloud's logical cluster and identity pool headers sent with a bearer token. */
    public Builder bearerTargets(String logicalCluster, String identityPoolId) {
      this.logicalCluster = logicalCluster;
      this.identityPoolId = identityPoolId;
      return this;
    }

    /** Trust store for TLS ({@code type} null: guessed from the file name, else the JDK's). */
    public Builder truststore(Path path, String password, String type) {
      this.truststorePath = Objects.requireNonNull(path, "truststore path");
      this.truststorePassword = password;
      this.truststoreType = type;
      return this;
    }

    /** Key store with a client certificate for mutual TLS; its password also unlocks the key. */
    public Builder keystore(Path path, String password, String type) {
      this.keystorePath = Objects.requireNonNull(path, "keystore path");
      this.keystorePassword = password;
      this.keystoreType = type;
      return this;
    }

    /** The private key's own password, when it differs from the key store's. */
    public Builder keyPassword(String password) {
      this.keyPassword = password;
      return this;
    }

    /** Connect and request timeout per attempt; default {@link RegistryConfig#DEFAULT_TIMEOUT}. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Retries of failed requests; default {@link Retries#DEFAULT}. */
    public Builder retries(Retries retries) {
      this.retries = Objects.requireNonNull(retries, "retries");
      return this;
    }

    /**
     * @throws IllegalArgumentException for a malformed URL, an unreadable password file or a
     *     missing or empty secret
     */
    public RegistryConfig build() {
      String pw = password;
      if (passwordFile != null) {
        pw = readSecret(passwordFile);
      }
      return new RegistryConfig(
          urls,
          user,
          pw,
          bearerToken,
          oauth,
          logicalCluster,
          identityPoolId,
          truststorePath,
          truststorePassword,
          truststoreType,
          keystorePath,
          keystorePassword,
          keystoreType,
          keyPassword,
          requestTimeout,
          retries);
    }

    private static String readSecret(Path file) {
      String s;
      try {
        s = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read the schema registry password file " + file + ": " + e, e);
      }
      if (s.endsWith("\n")) {
        s = s.substring(0, s.length() - 1);
      }
      if (s.endsWith("\r")) {
        s = s.substring(0, s.length() - 1);
      }
      if (s.isEmpty()) {
        throw new IllegalArgumentException(
            "the schema registry password file " + file + " is empty");
      }
      return s;
    }
  }
}
