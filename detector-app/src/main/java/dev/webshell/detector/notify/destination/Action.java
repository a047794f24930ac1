package dev.webshell.detector.notify.destination;

import java.util.Locale;

/** What a notification does to the incident of an alert. */
public enum Action {
  /** Open the incident (revision 1, or the first revision notify sees). */
  TRIGGER,
  /** Refresh an open incident with a later revision. */
  UPDATE,
  /** Close the incident (the closing revision). */
  RESOLVE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
