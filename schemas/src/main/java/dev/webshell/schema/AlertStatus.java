package dev.webshell.schema;

/**
 * The values of {@link WebShellAlert}'s {@code status}, a string in the schema (WebShellAlert.avsc)
 * so that readers written before a new value keep reading: kept here, beside the schema, for the
 * code that writes alerts and the code that reads them.
 */
public final class AlertStatus {
  /** Every revision but the closing one (and the schema's default). */
  public static final String OPEN = "open";

  /** The closing revision: the device's window has emptied. */
  public static final String CLOSED = "closed";

  private AlertStatus() {}
}
