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
 * Where the schema registry is and how to authenticate to it. Immutable; {@link #toString()} never
 * shows a password.
 *
 * <p>{@code urls} are one or more base URLs tried in order when a connection fails, each possibly
 * with a path prefix ({@code http://host:8080/apis/ccompat/v7} for Apicurio), or a single {@code
 * mock://NAME} for the in-memory {@link MockSchemaRegistryClient}. Credentials written into a URL
 * ({@code https://user:password@host}) are moved into {@link #basicAuthUser()} / {@link
 * #basicAuthPassword()} (unless those are set explicitly) and removed from {@link #urls()}, so that
 * the URLs can be logged and shown in error messages.
 *
 * @param urls base URLs without credentials and without a trailing slash; never empty
 * @param basicAuthUser user for HTTP basic auth, or null for none
 * @param basicAuthPassword its password; non-null exactly when {@code basicAuthUser} is
 * @param truststorePath trust store for TLS, or null for the JDK's default trust
 * @param truststorePassword its password, may be null
 * @param truststoreType {@code PKCS12}, {@code JKS}, ...; null to guess from the file name
 * @param keystorePath key store holding a client certificate (mutual TLS), or null
 * @param keystorePassword its password (also used for the key), may be null
 * @param keystoreType like {@code truststoreType}
 * @param requestTimeout connect and request timeout per URL
 */
public record RegistryConfig(
    List<String> urls,
    String basicAuthUser,
    String basicAuthPassword,
    Path truststorePath,
    String truststorePassword,
    String truststoreType,
    Path keystorePath,
    String keystorePassword,
    String keystoreType,
    Duration requestTimeout) {

  /** The scheme that selects {@link MockSchemaRegistryClient}. */
  public static final String MOCK_SCHEME = "mock";

  /** Default {@link #requestTimeout()}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  public RegistryConfig {
    Objects.requireNonNull(urls, "urls");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("no schema registry URL given");
    }
    List<String> clean = new ArrayList<>(urls.size());
    for (String raw : urls) {
      URI uri = parse(raw);
      String userInfo = uri.getRawUserInfo();
      if (userInfo != null && basicAuthUser == null) {
        int colon = userInfo.indexOf(':');
        basicAuthUser = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        basicAuthPassword = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
      }
      clean.add(withoutUserInfo(uri));
    }
    urls = List.copyOf(clean);
    if (isMock(urls.get(0)) && urls.size() > 1) {
      throw new IllegalArgumentException("a mock:// schema registry URL must be the only one");
    }
    if ((basicAuthUser == null) != (basicAuthPassword == null)) {
      throw new IllegalArgumentException("basic auth needs both a user and a password");
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
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
        + (truststorePath == null
            ? ""
            : ", truststore="
                + truststorePath
                + (truststoreType == null ? "" : " (" + truststoreType + ")")
                + (truststorePassword == null ? "" : ", truststorePassword=***"))
        + (keystorePath == null
            ? ""
            : ", keystore="
                + keystorePath
                + (keystoreType == null ? "" : " (" + keystoreType + ")")
                + (keystorePassword == null ? "" : ", keystorePassword=***"))
        + ", requestTimeout="
        + requestTimeout
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
    private Path truststorePath;
    private String truststorePassword;
    private String truststoreType;
    private Path keystorePath;
    private String keystorePassword;
    private String keystoreType;
    private Duration requestTimeout = DEFAULT_TIMEOUT;

    private Builder(String commaSeparatedUrls) {
      Objects.requireNonNull(commaSeparatedUrls, "urls");
      for (String u : commaSeparatedUrls.split(",")) {
        if (!u.isBlank()) {
          urls.add(u.strip());
        }
      }
    }

    /** HTTP basic auth with this user and password. */
    public Builder basicAuth(String user, String password) {
      this.user = Objects.requireNonNull(user, "user");
      this.password = Objects.requireNonNull(password, "password");
      this.passwordFile = null;
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
      return this;
    }

    /** Trust store for TLS ({@code type} null: guessed from the file name, else the JDK's). */
    public Builder truststore(Path path, String password, String type) {
      this.truststorePath = Objects.requireNonNull(path, "truststore path");
      this.truststorePassword = password;
      this.truststoreType = type;
      return this;
    }

    /** Key store with a client certificate for mutual TLS. */
    public Builder keystore(Path path, String password, String type) {
      this.keystorePath = Objects.requireNonNull(path, "keystore path");
      this.keystorePassword = password;
      this.keystoreType = type;
      return this;
    }

    /** Connect and request timeout per URL; default {@link RegistryConfig#DEFAULT_TIMEOUT}. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * @throws IllegalArgumentException for a malformed URL or an unreadable password file
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
          truststorePath,
          truststorePassword,
          truststoreType,
          keystorePath,
          keystorePassword,
          keystoreType,
          requestTimeout);
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
      return s;
    }
  }
}
