package dev.webshell.detector.notify.destination;

import dev.webshell.schema.WebShellAlert;
import java.util.Objects;

/** One thing to tell a destination: an action on the incident of {@code alert}. */
public record Notification(Action action, WebShellAlert alert) {
  public Notification {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(alert, "alert");
  }

  /** Names the notification in logs and dead letters: {@code trigger <alertId> r1}. */
  public String describe() {
    return action.label() + " " + alert.getAlertId() + " r" + alert.getRevision();
  }
}
