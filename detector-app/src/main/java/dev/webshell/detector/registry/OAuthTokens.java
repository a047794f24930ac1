package dev.webshell.detector.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Bearer tokens from an OAuth 2 token endpoint with the client-credentials grant, as Kafka's and
 * Confluent's clients fetch them ({@code bearer.auth.credentials.source=OAUTHBEARER}): {@code POST
 * grant_type=client_credentials[&scope=…]} with the client id and secret as basic auth. A token is
 * kept until {@code expires_in} (or the JWT's {@code exp}) minus the expiry buffer, the buffer
 * being at most half the token's life. Thread-safe.
 *
 * <p>Failures are {@link SchemaRegistryException}s: retriable ones (no answer, 408, 429, 5xx) are
 * retried by the registry client like its own; any other answer (a wrong client secret is a 400 or
 * 401) is a {@link RegistryMisconfiguredException}. Messages never hold the secret or a token.
 */
final class OAuthTokens {
  private static final Duration WITHOUT_EXPIRY = Duration.ofMinutes(5);

  private final RegistryConfig.OAuth settings;
  private final HttpClient http;
  private final Duration timeout;
  private final ObjectMapper json;
  private String token;
  private Instant renewAt = Instant.MIN;

  OAuthTokens(RegistryConfig.OAuth settings, HttpClient http, Duration timeout, ObjectMapper json) {
    this.settings = settings;
    this.http = http;
    this.timeout = timeout;
    this.json = json;
  }

  /** A valid token, fetched when there is none or it is about to expire. */
  synchronized String token() throws IOException {
    Instant now = Instant.now();
    if (token == null || !now.isBefore(renewAt)) {
      fetch(now);
    }
    return token;
  }

  /** Forgets the token (the registry refused it): the next {@link #token()} fetches a new one. */
  synchronized void invalidate() {
    token = null;
  }

  private void fetch(Instant now) throws IOException {
    String form =
        "grant_type=client_credentials"
            + (settings.scope() == null ? "" : "&scope=" + form(settings.scope()));
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (form(settings.clientId()) + ":" + form(settings.clientSecret()))
                    .getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(settings.tokenEndpoint())
            .timeout(timeout)
            .header("Authorization", "Basic " + basic)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    String where = "OAuth token endpoint " + settings.tokenEndpoint();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching an OAuth token", e);
    } catch (IOException e) {
      String cause = HttpSchemaRegistryClient.describe(e);
      throw new SchemaRegistryException(
          "cannot reach the " + where + ": " + cause, 0, -1, cause, e);
    }
    int status = response.statusCode();
    JsonNode body = null;
    try {
      body = json.readTree(response.body() == null ? "" : response.body());
    } catch (IOException notJson) {
      // reported below
    }
    if (status < 200 || status >= 300) {
      String error =
          body != null && body.hasNonNull("error")
              ? body.get("error").asText()
                  + (body.hasNonNull("error_description")
                      ? ": " + body.get("error_description").asText()
                      : "")
              : "(no OAuth error in the answer)";
      SchemaRegistryException e =
          new SchemaRegistryException(
              where + " answered " + status + " " + error, status, -1, error, null);
      if (e.isRetriable()) {
        throw e;
      }
      throw new RegistryMisconfiguredException(
          where
              + " refused client "
              + settings.clientId()
              + " ("
              + status
              + " "
              + error
              + "): check bearer.auth.client.id, bearer.auth.client.secret and bearer.auth.scope",
          e);
    }
    JsonNode access = body == null ? null : body.get("access_token");
    if (access == null || !access.isTextual() || access.asText().isEmpty()) {
      throw new SchemaRegistryException(
          where + " answered " + status + " without an access_token",
          status,
          SchemaRegistryException.UNREADABLE_ANSWER,
          "no access_token",
          null);
    }
    Duration life = lifetime(body, access.asText(), now);
    Duration buffer = settings.expiryBuffer();
    if (buffer.compareTo(life.dividedBy(2)) > 0) {
      buffer = life.dividedBy(2);
    }
    token = access.asText();
    renewAt = now.plus(life).minus(buffer);
  }

  /** {@code expires_in}, else the JWT's {@code exp}, else five minutes. */
  private Duration lifetime(JsonNode body, String accessToken, Instant now) {
    JsonNode expiresIn = body.get("expires_in");
    if (expiresIn != null && expiresIn.canConvertToLong() && expiresIn.asLong() > 0) {
      return Duration.ofSeconds(expiresIn.asLong());
    }
    String[] parts = accessToken.split("\\.");
    if (parts.length == 3) {
      try {
        JsonNode claims = json.readTree(Base64.getUrlDecoder().decode(parts[1]));
        JsonNode exp = claims.get("exp");
        if (exp != null && exp.canConvertToLong()) {
          Duration d = Duration.between(now, Instant.ofEpochSecond(exp.asLong()));
          if (!d.isNegative() && !d.isZero()) {
            return d;
          }
        }
      } catch (IOException | IllegalArgumentException notAJwt) {
        // an opaque token
      }
    }
    return WITHOUT_EXPIRY;
  }

  private static String form(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
