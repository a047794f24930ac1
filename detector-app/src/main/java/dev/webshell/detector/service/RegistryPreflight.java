package dev.webshell.detector.service;

import dev.webshell.detector.registry.RegistryConfig;
import dev.webshell.detector.registry.RegistryMisconfiguredException;
import dev.webshell.detector.registry.RegistryUnavailableException;
import dev.webshell.detector.registry.SchemaRegistryClient;
import dev.webshell.detector.registry.SchemaRegistryException;
import dev.webshell.schema.WebShellAlert;

/**
 * The start-up check of the schema registry, failing with one line that says what to fix: the URL
 * must lead to a Confluent-compatible API (a 404 counts only with Confluent's error code), the
 * credentials must be accepted, and, when alerts are Avro, the alert schema must be accepted under
 * {@code <topic>-value}. Registering it here, before any alert, also means the running detector
 * never has to reach the registry to write an alert (the client caches the id).
 */
public final class RegistryPreflight {
  private RegistryPreflight() {}

  /**
   * @param registerAlertSchema register {@link WebShellAlert}'s schema (Avro alerts); otherwise
   *     only look the subject up
   * @throws StartupException naming the problem
   */
  public static void check(
      SchemaRegistryClient registry,
      RegistryConfig config,
      String alertTopic,
      boolean registerAlertSchema) {
    String subject = alertTopic + "-value";
    String call =
        registerAlertSchema
            ? "POST /subjects/" + subject + "/versions"
            : "GET /subjects/" + subject + "/versions/latest";
    try {
      if (registerAlertSchema) {
        registry.register(subject, WebShellAlert.getClassSchema());
      } else {
        registry.latest(subject);
      }
    } catch (SchemaRegistryException e) {
      if (!registerAlertSchema && e.isUnknownSubject()) {
        return; // the API answered as Confluent's does for a subject nobody registered yet
      }
      throw new StartupException(message(e, config, subject, call));
    }
  }

  static String message(
      SchemaRegistryException e, RegistryConfig config, String subject, String call) {
    String at = "schema registry at " + config.urlsForDisplay();
    if (e instanceof RegistryUnavailableException) {
      return "cannot use the " + at + ": " + e.getMessage();
    }
    if (e instanceof RegistryMisconfiguredException) {
      return at + ": " + e.getMessage();
    }
    if (e.isAuthFailure()) {
      return at
          + " refuses the detector's credentials ("
          + e.status()
          + " to "
          + call
          + "; check the user and password, or the token, and the registry's permissions): "
          + e.registryMessage();
    }
    if (e.isNotFound()) {
      boolean apicurioLike = !config.urlsForDisplay().contains("/apis/ccompat/");
      return at
          + " is not a Confluent-compatible schema registry API: "
          + call
          + " answered 404 without one of Confluent's error codes"
          + (e.errorCode() < 0 ? "" : " (error_code " + e.errorCode() + ")")
          + (apicurioLike ? "; for Apicurio Registry the URL ends in /apis/ccompat/v7" : "")
          + ": "
          + e.registryMessage();
    }
    if (e.isIncompatible() || e.status() == 422) {
      return at
          + " refuses the alert schema for subject "
          + subject
          + " ("
          + e.status()
          + "): "
          + e.registryMessage();
    }
    return at + ": " + e.getMessage();
  }
}
